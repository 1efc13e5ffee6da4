// Entitlement is checked at use: subscribing enables a token the user already has, cancelling
// disables it, revoking ends it — with control messages so live streams end on every node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { setPlan } from '@/lib/billing/set-plan';
import { toggleFirehose } from '@/lib/billing/toggle-firehose';
import { subscribeControl, type ControlMessage } from '@/lib/control';
import { checkEntitlement } from '@/lib/entitlements';
import { AppError } from '@/lib/errors';
import { createApiToken, revokeApiToken, verifyApiToken } from '@/lib/tokens';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
const heard: ControlMessage[] = [];
let unsubscribe: () => Promise<void>;

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  unsubscribe = await subscribeControl(engines, (message) => heard.push(message));
});
afterAll(async () => {
  await unsubscribe();
  await deleteRedisPrefix(engines);
  await engines.close();
  await t.drop();
});

async function mayStream(raw: string) {
  const auth = await verifyApiToken(t.db.prisma, raw, { address: '127.0.0.1' });
  const result = checkEntitlement(auth, 'stream');
  return result.ok ? 'ok' : result.error.code;
}

describe('a token created on Free', () => {
  let userId: string;
  let token: string;
  let tokenId: string;

  beforeAll(async () => {
    userId = (await createUser(t.db.prisma, { email: 'analyst@example.com', password: 'blue team forever' })).id;
    const created = await createApiToken(t.db.prisma, { userId, name: 'siem', scopes: ['stream', 'read'] });
    token = created.token;
    tokenId = created.id;
  });

  it('is stored only as a hash and may not stream', async () => {
    const row = await t.db.prisma.apiToken.findUniqueOrThrow({ where: { id: tokenId } });
    expect(JSON.stringify(row)).not.toContain(token.slice(4));
    expect(await mayStream(token)).toBe('plan_required');
  });

  it('may stream once the plan is Firehose (local billing), with no re-issue, and plan_changed is announced', async () => {
    const result = await toggleFirehose({ prisma: t.db.prisma, engines }, { mode: 'local', missing: [] }, { userId, enable: true, baseUrl: 'http://x' });
    expect(result).toEqual({ kind: 'plan', plan: 'firehose' });
    expect(await mayStream(token)).toBe('ok');
    await expect
      .poll(() => heard.filter((m) => m.type === 'plan_changed' && m.userId === userId), { timeout: 5000, interval: 20 })
      .toEqual([{ type: 'plan_changed', userId, plan: 'firehose' }]);
    const subscription = await t.db.prisma.subscription.findUniqueOrThrow({ where: { userId } });
    expect(subscription).toMatchObject({ provider: 'local', status: 'active' });
  });

  it('may not stream after cancelling, and setting the same plan again announces nothing', async () => {
    await setPlan({ prisma: t.db.prisma, engines }, { userId, plan: 'free' });
    await setPlan({ prisma: t.db.prisma, engines }, { userId, plan: 'free' });
    expect(await mayStream(token)).toBe('plan_required');
    await expect.poll(() => heard.length, { timeout: 5000, interval: 20 }).toBeGreaterThanOrEqual(2);
    expect(heard.filter((m) => m.type === 'plan_changed' && m.userId === userId).map((m) => (m as { plan: string }).plan)).toEqual(['firehose', 'free']);
  });

  it('a token without the stream scope is refused for scope, not plan, even on Firehose', async () => {
    const readOnly = await createApiToken(t.db.prisma, { userId, name: 'lookup', scopes: ['read'] });
    await setPlan({ prisma: t.db.prisma, engines }, { userId, plan: 'firehose' });
    expect(await mayStream(readOnly.token)).toBe('scope_required');
    expect(await mayStream(token)).toBe('ok');
  });

  it('after revoking, the token gets the same 401 as a token that never existed', async () => {
    await revokeApiToken({ prisma: t.db.prisma, engines }, { id: tokenId, userId });
    const revoked = (await verifyApiToken(t.db.prisma, token, { address: '127.0.0.1' }).catch((e: unknown) => e)) as AppError;
    const forged = (await verifyApiToken(t.db.prisma, 'slc_' + 'A'.repeat(43), { address: '127.0.0.1' }).catch((e: unknown) => e)) as AppError;
    expect(revoked).toBeInstanceOf(AppError);
    expect([revoked.status, revoked.code, revoked.message]).toEqual([forged.status, forged.code, forged.message]);
    expect(revoked.status).toBe(401);
  });

  it("cannot revoke someone else's token by id", async () => {
    const other = (await createUser(t.db.prisma, { email: 'other@example.com', password: 'a different phrase' })).id;
    const theirs = await createApiToken(t.db.prisma, { userId: other, name: 'theirs', scopes: ['read'] });
    await expect(revokeApiToken({ prisma: t.db.prisma, engines }, { id: theirs.id, userId })).rejects.toMatchObject({ code: 'not_found' });
    expect(await verifyApiToken(t.db.prisma, theirs.token, { address: '127.0.0.1' })).toMatchObject({ tokenId: theirs.id });
  });
});
