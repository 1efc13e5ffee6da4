// Serving the exports from their snapshots (lib/exports/serve-export.ts, the function the HTTP edge
// and the Next route share) on a real database and engines: a body cached for the Firehose tier is
// never what a lower tier gets (every export, gzip or not, validators included); a body is tied to
// its snapshot, so nothing is served past the snapshot's interval once a refresh has run (and past
// the stale window not at all); tokens go through the node's REST token cache, which control
// messages empty on every node, with expiry and allowed networks checked at every use.
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig, type Config } from '@/lib/config';
import { publishControl } from '@/lib/control';
import { EXPORT_NAMES, getExport, parseExportRequest, serveExport, type ExportAnswer } from '@/lib/exports';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { createLogger } from '@/lib/logger';
import { restTokenVerifier, startNodeTokenCache } from '@/lib/token-cache';
import { createApiToken, revokeApiToken } from '@/lib/tokens';
import { createTrustPolicy } from '@/lib/trust/policy';
import { createAccount, type Account } from '@/tests/helpers/fixtures';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';

const INTERVAL_MS = 1000;
let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let config: Config;
let owner: Account;
let freeUser: Account;
let stopTokenCache: () => Promise<void>;
/** The snapshots' clock: real time plus what a test skips ahead. */
let skipped = 0;
const now = () => Date.now() + skipped;
const logger = createLogger('warn');

const runtime = () => ({ db: t.db, engines, config, logger });
const deps = () => ({ sql: t.db.sql, config, baseUrl: 'http://sluice.test', now });
const ingest = (items: unknown[]) =>
  ingestIndicators({ sql: t.db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }), trust: createTrustPolicy({}) }, { ownerId: owner.user.id, feed: 'pub', items });

function request(name: string, options: { token?: string; query?: string; headers?: Record<string, string>; address?: string } = {}) {
  const headers = new Headers(options.headers ?? {});
  return serveExport(
    { runtime: runtime(), baseUrl: 'http://sluice.test', verify: restTokenVerifier(t.db.prisma) },
    { name, search: new URLSearchParams(options.query ?? ''), authorization: options.token ? `Bearer ${options.token}` : null, address: options.address ?? '127.0.0.1', headers },
  );
}
const text = (a: ExportAnswer) => (a.body ? (a.headers['content-encoding'] === 'gzip' ? gunzipSync(a.body) : a.body).toString('utf8') : '');
const refusal = (promise: Promise<ExportAnswer>) => promise.then((a) => `${a.status} ${a.headers['sluice-export-tier']}`, (error: { code?: string }) => error.code ?? String(error));

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  config = parseConfig({ ...process.env, ...t.env, ...engines.env, EXPORTS_INTERVAL_SECONDS: String(INTERVAL_MS / 1000), EXPORTS_FREE_DELAY_SECONDS: '3600', EXPORTS_ANONYMOUS_PER_MINUTE: '0' });
  owner = await createAccount(t.db.prisma, { plan: 'firehose', scopes: ['read', 'submit', 'stream'], feeds: [{ slug: 'pub' }] });
  freeUser = await createAccount(t.db.prisma, { plan: 'free', scopes: ['read'] });
  await ingest([{ value: '45.83.64.1', tags: ['ssh'] }, { value: 'old.example-phish.net', tags: ['phishing'] }]);
  // Reported two hours ago: in both tiers (the Free tier is an hour behind).
  await t.db.sql.query(`UPDATE sightings SET created_at = now() - interval '2 hours'`);
  await ingest([{ value: '45.83.64.77', tags: ['ssh'] }, { value: 'fresh-only.example-phish.net', tags: ['phishing'] }]);
  // The snapshot cache takes its clock from its first use.
  await getExport(deps(), 'firehose', parseExportRequest('ipv4.txt', new URLSearchParams()));
  stopTokenCache = await startNodeTokenCache({ prisma: t.db.prisma, engines, logger, ttlMs: 60_000 });
}, 180_000);

afterAll(async () => {
  await stopTokenCache?.();
  if (engines) await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop();
});

describe('export snapshots and tiers', () => {
  it('never hand a body made for the Firehose tier to the Free tier (every export, identity and gzip, validators too)', async () => {
    const fresh = ['45.83.64.77', 'fresh-only.example-phish.net', 'fresh-only|0d|example-phish', 'fresh-only\\.example'];
    for (const name of Object.keys(EXPORT_NAMES)) {
      for (const encoding of ['identity', 'gzip']) {
        const headers = { 'accept-encoding': encoding };
        // The Firehose tier first, so its bodies are cached under the same export key.
        const firehose = await request(name, { token: owner.token, headers });
        expect(firehose.status, name).toBe(200);
        expect(firehose.headers['sluice-export-tier']).toBe('firehose');
        const carriesFresh = fresh.some((v) => text(firehose).includes(v));
        if (['ipv4.txt', 'domain.txt', 'csv', 'json', 'rpz.zone', 'suricata.rules', 'snort.rules'].includes(name)) expect(carriesFresh, name).toBe(true);
        // A free-plan token has 60 requests a minute: it takes the gzip half.
        for (const who of encoding === 'gzip' ? [{}, { token: freeUser.token }] : [{}]) {
          const free = await request(name, { ...who, headers });
          expect(free.status, name).toBe(200);
          expect(free.headers['sluice-export-tier'], name).toBe('free');
          expect(free.headers['cache-control']).toMatch(/^public/);
          for (const v of fresh) expect(text(free), `${name} ${encoding}`).not.toContain(v);
          // The Firehose body's ETag is not the Free body's: a conditional request gets the Free body.
          if (carriesFresh) {
            expect(free.headers.etag).not.toBe(firehose.headers.etag);
            const conditional = await request(name, { ...who, headers: { ...headers, 'if-none-match': firehose.headers.etag } });
            expect(conditional.status, name).toBe(200);
            expect(text(conditional)).toBe(text(free));
          }
        }
      }
    }
    // What both tiers list is in the Free one.
    expect(text(await request('ipv4.txt'))).toBe('45.83.64.1\n');
  });

  it('serve gzip made once per body, equal to the identity body', async () => {
    // Enough rules to be worth compressing (a body under 1 KB is sent as is), in a new snapshot.
    await ingest(Array.from({ length: 12 }, (_, i) => ({ value: `45.83.65.${i + 1}`, tags: ['ssh'] })));
    skipped += INTERVAL_MS * 100;
    expect((await request('suricata.rules', { token: owner.token })).body!.length).toBeGreaterThan(1024);
    const identity = await request('suricata.rules', { token: owner.token });
    const a = await request('suricata.rules', { token: owner.token, headers: { 'accept-encoding': 'br, gzip;q=0.5' } });
    const b = await request('suricata.rules', { token: owner.token, headers: { 'accept-encoding': 'gzip' } });
    expect(a.headers['content-encoding']).toBe('gzip');
    expect(a.body).toBe(b.body); // the same bytes, not compressed again
    expect(text(a)).toBe(text(identity));
    expect((await request('suricata.rules', { headers: { 'accept-encoding': 'gzip;q=0' } })).headers['content-encoding']).toBeUndefined();
    expect(a.headers.vary).toMatch(/Accept-Encoding/);
  });

  it('tie every body to its snapshot: not served past the interval once refreshed, never past the stale window', async () => {
    const q = parseExportRequest('ipv4.txt', new URLSearchParams('tag=ssh'));
    const before = await getExport(deps(), 'firehose', q);
    expect(before.body).not.toContain('45.83.64.88');
    await ingest([{ value: '45.83.64.88', tags: ['ssh'] }]);
    // Within the interval: the same snapshot, the same bytes.
    expect((await getExport(deps(), 'firehose', q)).snapshot).toBe(before.snapshot);
    // Past it: a refresh starts; once it has run, every answer is the new content (bytes and gzip).
    skipped += INTERVAL_MS + 1;
    let after = before;
    await expect.poll(async () => (after = await getExport(deps(), 'firehose', q)).body.includes('45.83.64.88'), { timeout: 30_000, interval: 100 }).toBe(true);
    expect(after.snapshot).not.toBe(before.snapshot);
    expect(after.etag).not.toBe(before.etag);
    expect(gunzipSync(after.gzip()).toString()).toBe(after.body);
    const served = await request('ipv4.txt', { token: owner.token, query: 'tag=ssh', headers: { 'if-none-match': before.etag } });
    expect(served.status).toBe(200);
    expect(text(served)).toContain('45.83.64.88');
    // Far past the stale window: the first request waits for a new snapshot instead of the old one.
    await ingest([{ value: '45.83.64.99', tags: ['ssh'] }]);
    skipped += INTERVAL_MS * 100;
    expect((await getExport(deps(), 'firehose', q)).body).toContain('45.83.64.99');
  });

  it('refuse what is not on the list before any work, and ignore unknown parameters (one key, no new body)', async () => {
    for (const [name, query] of [['ipv4.txt', 'minConfidence=7'], ['ipv4.txt', 'days=2'], ['ipv4.txt', 'tag=a&tag=b'], ['rpz.zone', 'type=ipv4']] as const) {
      await expect(request(name, { query }), `${name}?${query}`).rejects.toMatchObject({ status: 400, code: 'invalid_query' });
    }
    await expect(request('nope.txt')).rejects.toMatchObject({ status: 404, code: 'export_not_found' });
    await expect(request('ipv4.txt', { query: Array.from({ length: 101 }, (_, i) => `x${i}=1`).join('&') })).rejects.toMatchObject({ status: 400 });
    const plain = await request('ipv4.txt', { token: owner.token });
    const busted = await request('ipv4.txt', { token: owner.token, query: `_=${Date.now()}&days=7&minConfidence=0` });
    expect(busted.body).toBe(plain.body); // the same cached bytes
  });
});

describe('tokens through the REST token cache', () => {
  it('follow plan changes and revocations pushed by control messages, not the TTL', async () => {
    const a = await createAccount(t.db.prisma, { plan: 'firehose', scopes: ['read'] });
    expect(await refusal(request('ipv4.txt', { token: a.token }))).toBe('200 firehose');
    // Changed in the database without an announcement: the cache answers (it is in use).
    await t.db.prisma.user.update({ where: { id: a.user.id }, data: { plan: 'free' } });
    expect(await refusal(request('ipv4.txt', { token: a.token }))).toBe('200 firehose');
    await publishControl(engines, { type: 'plan_changed', userId: a.user.id, plan: 'free' });
    await expect.poll(() => refusal(request('ipv4.txt', { token: a.token })), { timeout: 20_000, interval: 100 }).toBe('200 free');
    await revokeApiToken({ prisma: t.db.prisma, engines }, { id: a.tokenId, userId: a.user.id });
    await expect.poll(() => refusal(request('ipv4.txt', { token: a.token })), { timeout: 20_000, interval: 100 }).toBe('invalid_token');
  });

  it('check expiry and allowed networks at every use of a cached token', async () => {
    const soon = await createApiToken(t.db.prisma, { userId: owner.user.id, name: 'soon', scopes: ['read'], expiresAt: new Date(Date.now() + 1500) });
    const netted = await createApiToken(t.db.prisma, { userId: owner.user.id, name: 'net', scopes: ['read'], allowedNetworks: '10.0.0.0/8' });
    expect(await refusal(request('ipv4.txt', { token: soon.token }))).toBe('200 firehose');
    expect(await refusal(request('ipv4.txt', { token: netted.token, address: '10.1.2.3' }))).toBe('200 firehose');
    expect(await refusal(request('ipv4.txt', { token: netted.token, address: '192.0.2.1' }))).toBe('address_not_allowed');
    expect(await refusal(request('ipv4.txt', { token: netted.token, address: '10.1.2.3' }))).toBe('200 firehose');
    await new Promise((r) => setTimeout(r, 1600));
    expect(await refusal(request('ipv4.txt', { token: soon.token }))).toBe('token_expired');
    expect(await refusal(request('ipv4.txt', { token: 'slc_notatoken' }))).toBe('invalid_token');
  });
});
