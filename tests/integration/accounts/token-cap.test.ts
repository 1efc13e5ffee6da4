// An account holds at most MAX_ACTIVE_TOKENS active API tokens (lib/tokens.ts createApiToken, the one
// path of the dashboard and the operator CLI): one more is refused with 409 too_many_tokens, also
// when many are asked for at the same moment; revoked and expired tokens do not count, nor do the
// operator's peer tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { MAX_ACTIVE_TOKENS } from '@/lib/token-limits';
import { createApiToken, revokeApiToken } from '@/lib/tokens';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
});
afterAll(async () => {
  await deleteRedisPrefix(engines);
  await engines.close();
  await t?.drop();
});

let serial = 0;
async function newUser(): Promise<string> {
  serial += 1;
  return (await t.db.prisma.user.create({ data: { email: `cap${serial}@test.local`, passwordHash: '!' }, select: { id: true } })).id;
}
const activeCount = (userId: string) => t.db.prisma.apiToken.count({ where: { userId, revokedAt: null } });

describe('the active token cap', () => {
  it('holds when more tokens than the cap are asked for at the same moment', async () => {
    expect(MAX_ACTIVE_TOKENS).toBe(50);
    const userId = await newUser();
    const results = await Promise.allSettled(
      Array.from({ length: MAX_ACTIVE_TOKENS + 10 }, (_, i) => createApiToken(t.db.prisma, { userId, name: `burst ${i}`, scopes: ['read'] })),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.length - refused.length).toBe(MAX_ACTIVE_TOKENS);
    expect(refused).toHaveLength(10);
    for (const r of refused) {
      expect(r.reason).toBeInstanceOf(AppError);
      expect(r.reason).toMatchObject({ code: 'too_many_tokens', status: 409 });
      expect((r.reason as AppError).message).toMatch(/Revoke tokens you no longer use/);
    }
    expect(await activeCount(userId)).toBe(MAX_ACTIVE_TOKENS);
  });

  it('counts neither revoked nor expired tokens, nor peer tokens, and is per account', async () => {
    const userId = await newUser();
    const made = [];
    for (let i = 0; i < MAX_ACTIVE_TOKENS; i++) made.push(await createApiToken(t.db.prisma, { userId, name: `t${i}`, scopes: ['read'] }));
    await expect(createApiToken(t.db.prisma, { userId, name: 'one more', scopes: ['stream'] })).rejects.toMatchObject({ code: 'too_many_tokens' });
    // Another account is not affected.
    await expect(createApiToken(t.db.prisma, { userId: await newUser(), name: 'elsewhere', scopes: ['read'] })).resolves.toMatchObject({ name: 'elsewhere' });
    // Revoking one makes room for one.
    await revokeApiToken({ prisma: t.db.prisma, engines }, { id: made[0].id, userId });
    await expect(createApiToken(t.db.prisma, { userId, name: 'replacement', scopes: ['read'] })).resolves.toMatchObject({ name: 'replacement' });
    await expect(createApiToken(t.db.prisma, { userId, name: 'one more', scopes: ['read'] })).rejects.toMatchObject({ code: 'too_many_tokens' });
    // An expired token makes room too.
    await t.db.prisma.apiToken.update({ where: { id: made[1].id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(createApiToken(t.db.prisma, { userId, name: 'after expiry', scopes: ['read'] })).resolves.toMatchObject({ name: 'after expiry' });
    // Peer tokens (the operator's, one per federation link) are neither refused nor counted.
    await expect(createApiToken(t.db.prisma, { userId, name: 'peer:x', scopes: ['peer'] })).resolves.toMatchObject({ name: 'peer:x' });
    await expect(createApiToken(t.db.prisma, { userId, name: 'one more', scopes: ['read'] })).rejects.toMatchObject({ code: 'too_many_tokens' });
  });
});
