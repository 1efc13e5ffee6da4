// The stream handshakes' verified-token cache (lib/token-cache.ts): it serves repeated handshakes
// without the database, keeps every per-use check (expiry, allowed networks), and is emptied by the
// pushed control messages on every node, so a token revoked is refused at once on a node that had
// it cached; a read that raced a revocation is never kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishControl } from '@/lib/control';
import { nodeTokenCache, restTokenVerifier, startNodeTokenCache, TokenCache } from '@/lib/token-cache';
import { createApiToken, revokeApiToken } from '@/lib/tokens';
import { createAccount } from '../../helpers/fixtures';
import { connected, connectError, startGatewayHarness, until, type GatewayHarness, type GatewayNode } from '../../helpers/gateway-harness';

const use = { address: '127.0.0.1' };
const refusal = (promise: Promise<unknown>) => promise.then(() => 'verified', (error: { code?: string }) => error.code ?? String(error));

describe('TokenCache', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness();
  });
  afterAll(async () => h?.close());

  it('reuses a verification until a control message drops it', async () => {
    const cache = new TokenCache(h.runtime.db.prisma, { ttlMs: 60_000 });
    const a = await createAccount(h.runtime.db.prisma);
    const first = await cache.verify(a.token, use);
    expect(first.tokenId).toBe(a.tokenId);
    // Revoked in the database without an announcement: the cache, not the database, answers.
    await h.runtime.db.prisma.apiToken.update({ where: { id: a.tokenId }, data: { revokedAt: new Date() } });
    expect(await cache.verify(a.token, use)).toBe(first);
    cache.invalidate({ type: 'token_revoked', tokenId: a.tokenId, userId: a.user.id });
    expect(await refusal(cache.verify(a.token, use))).toBe('invalid_token');
    expect(cache.size).toBe(0);
  });

  it('drops every token of a user whose plan changed, and only those', async () => {
    const cache = new TokenCache(h.runtime.db.prisma, { ttlMs: 60_000 });
    const a = await createAccount(h.runtime.db.prisma);
    const b = await createAccount(h.runtime.db.prisma);
    await cache.verify(a.token, use);
    await cache.verify(b.token, use);
    await h.runtime.db.prisma.user.update({ where: { id: a.user.id }, data: { plan: 'free' } });
    cache.invalidate({ type: 'plan_changed', userId: a.user.id, plan: 'free' });
    expect(cache.size).toBe(1);
    expect((await cache.verify(a.token, use)).user.plan).toBe('free');
  });

  it('drops a suspended user\'s tokens, and keeps no refused row (lifting the suspension needs no announcement)', async () => {
    const cache = new TokenCache(h.runtime.db.prisma, { ttlMs: 60_000 });
    const a = await createAccount(h.runtime.db.prisma);
    await cache.verify(a.token, use);
    await h.runtime.db.prisma.user.update({ where: { id: a.user.id }, data: { suspendedAt: new Date() } });
    cache.invalidate({ type: 'user_suspended', userId: a.user.id });
    expect(await refusal(cache.verify(a.token, use))).toBe('invalid_token');
    expect(cache.size).toBe(0);
    await h.runtime.db.prisma.user.update({ where: { id: a.user.id }, data: { suspendedAt: null } });
    expect((await cache.verify(a.token, use)).tokenId).toBe(a.tokenId);
  });

  it('checks expiry and allowed networks at every use, cached or not', async () => {
    const cache = new TokenCache(h.runtime.db.prisma, { ttlMs: 60_000 });
    const a = await createAccount(h.runtime.db.prisma);
    const soon = await createApiToken(h.runtime.db.prisma, { userId: a.user.id, name: 'soon', scopes: ['stream'], expiresAt: new Date(Date.now() + 1500) });
    const netted = await createApiToken(h.runtime.db.prisma, { userId: a.user.id, name: 'net', scopes: ['stream'], allowedNetworks: '10.0.0.0/8' });
    expect((await cache.verify(soon.token, use)).tokenId).toBe(soon.id);
    expect((await cache.verify(netted.token, { address: '10.1.2.3' })).tokenId).toBe(netted.id);
    expect(await refusal(cache.verify(netted.token, { address: '192.0.2.1' }))).toBe('address_not_allowed');
    expect(await refusal(cache.verify(netted.token, { address: null }))).toBe('address_not_allowed');
    await new Promise((r) => setTimeout(r, 1600));
    expect(await refusal(cache.verify(soon.token, use))).toBe('token_expired');
    expect(cache.size).toBe(2);
  });

  it('does not keep a read that a control message overtook', async () => {
    const cache = new TokenCache(h.runtime.db.prisma, { ttlMs: 60_000 });
    const a = await createAccount(h.runtime.db.prisma);
    const inFlight = cache.verify(a.token, use);
    cache.invalidate({ type: 'token_revoked', tokenId: 'another', userId: 'another' });
    expect((await inFlight).tokenId).toBe(a.tokenId);
    expect(cache.size).toBe(0);
  });

  it('refuses malformed and unknown tokens without keeping them; ttl 0 keeps nothing', async () => {
    const cache = new TokenCache(h.runtime.db.prisma, { ttlMs: 60_000 });
    expect(await refusal(cache.verify(undefined, use))).toBe('invalid_token');
    expect(await refusal(cache.verify('slc_short', use))).toBe('invalid_token');
    expect(await refusal(cache.verify(`slc_${'A'.repeat(43)}`, use))).toBe('invalid_token');
    expect(cache.size).toBe(0);
    const uncached = new TokenCache(h.runtime.db.prisma, { ttlMs: 0 });
    const a = await createAccount(h.runtime.db.prisma);
    await uncached.verify(a.token, use);
    expect(uncached.size).toBe(0);
  });
});

describe('a token revoked while two nodes have it cached', () => {
  let h: GatewayHarness;
  let other: GatewayNode;
  // A long TTL and the default 30 s re-check: only the pushed invalidation can refuse in time.
  beforeAll(async () => {
    h = await startGatewayHarness({}, { STREAM_TOKEN_CACHE_SECONDS: '60' });
    other = await h.addNode();
  });
  afterAll(async () => h?.close());

  it('is refused on both nodes right after revokeApiToken returns', async () => {
    const a = await h.makeToken();
    // Each node verifies the token once (its cache now holds it)…
    for (const socket of [h.client({ token: a.token }), other.client({ token: a.token })]) {
      await connected(socket);
      socket.disconnect();
    }
    // …and, proof that it is cached: a revocation written without an announcement goes unnoticed.
    await h.runtime.db.prisma.apiToken.update({ where: { id: a.tokenId }, data: { revokedAt: new Date() } });
    const unnoticed = other.client({ token: a.token });
    await connected(unnoticed);
    unnoticed.disconnect();
    await h.runtime.db.prisma.apiToken.update({ where: { id: a.tokenId }, data: { revokedAt: null } });

    // The real revocation: the database and the announcement (lib/control), then at once a new handshake on each node.
    await revokeApiToken({ prisma: h.runtime.db.prisma, engines: h.runtime.engines }, { id: a.tokenId, userId: a.userId });
    const [onFirst, onOther] = await Promise.all([connectError(h.client({ token: a.token })), connectError(other.client({ token: a.token }))]);
    expect(onFirst.code).toBe('invalid_token');
    expect(onOther.code).toBe('invalid_token');
  });

  it('a plan change to Free is refused on a node that had the token cached', async () => {
    const a = await h.makeToken();
    const first = other.client({ token: a.token });
    await connected(first);
    const ended = new Promise<{ reason: string }>((resolve) => first.once('stream:ended', resolve));
    await h.runtime.db.prisma.user.update({ where: { id: a.userId }, data: { plan: 'free' } });
    await publishControl(h.runtime.engines, { type: 'plan_changed', userId: a.userId, plan: 'free' });
    expect((await ended).reason).toBe('plan_ended');
    await until(() => !first.connected, 5000, 'the stream to close');
    expect((await connectError(other.client({ token: a.token }))).code).toBe('plan_required');
  });
});

describe("the node's one token cache", () => {
  let h: GatewayHarness;
  let stopCache: () => Promise<void>;
  let node: GatewayNode;
  beforeAll(async () => {
    h = await startGatewayHarness({}, { STREAM_TOKEN_CACHE_SECONDS: '60' });
    // As server/node.ts does: the node's cache first, then the gateway that uses it.
    stopCache = await startNodeTokenCache({ prisma: h.runtime.db.prisma, engines: h.runtime.engines, logger: h.runtime.logger, ttlMs: 60_000 });
    node = await h.addNode();
  });
  afterAll(async () => {
    await stopCache?.();
    await h?.close();
  });

  it('serves the stream handshakes and the REST verifier alike, and a revocation empties it for both', async () => {
    const cache = nodeTokenCache()!;
    expect(cache).toBeDefined();
    const a = await h.makeToken();
    const socket = node.client({ token: a.token });
    await connected(socket);
    socket.disconnect();
    // The handshake's verification is the one the exports' verifier now gets, without a database read.
    expect(cache.size).toBe(1);
    const verify = restTokenVerifier(h.runtime.db.prisma);
    const verified = await verify(a.token, use);
    expect(verified.tokenId).toBe(a.tokenId);
    expect(await verify(a.token, use)).toBe(verified);

    await revokeApiToken({ prisma: h.runtime.db.prisma, engines: h.runtime.engines }, { id: a.tokenId, userId: a.userId });
    expect((await connectError(node.client({ token: a.token }))).code).toBe('invalid_token');
    expect(await refusal(verify(a.token, use))).toBe('invalid_token');
    expect(cache.size).toBe(0);
  });
});
