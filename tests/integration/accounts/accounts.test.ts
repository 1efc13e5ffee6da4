// Sign-up and sign-in against the configured database and engines: argon2id hashes, normalised
// emails, clear errors, and rate limits per account and per IP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { SIGN_IN_LIMITS, verifyCredentials } from '@/lib/accounts/verify-credentials';
import { AppError } from '@/lib/errors';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
const deps = () => ({ prisma: t.db.prisma, engines });

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
});
afterAll(async () => {
  await deleteRedisPrefix(engines);
  await engines.close();
  await t.drop();
});

async function rejection(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

describe('sign-up', () => {
  it('stores a normalised email and an argon2id hash, never the password', async () => {
    const user = await createUser(t.db.prisma, { email: '  Ada@Example.COM ', password: 'analytical engine 1843' });
    expect(user).toMatchObject({ email: 'ada@example.com', plan: 'free' });
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.passwordHash).not.toContain('analytical');
  });

  it('refuses a taken email in any spelling with 409 email_taken', async () => {
    const error = await rejection(createUser(t.db.prisma, { email: 'ADA@example.com', password: 'another good passphrase' }));
    expect(error.code).toBe('email_taken');
    expect(error.status).toBe(409);
    expect(error.message).toMatch(/already exists/);
  });

  it('refuses a weak password with a reason', async () => {
    const error = await rejection(createUser(t.db.prisma, { email: 'weak@example.com', password: 'hunter2' }));
    expect(error.code).toBe('weak_password');
    expect(error.message).toMatch(/at least 10 characters/);
    expect(await t.db.prisma.user.count({ where: { email: 'weak@example.com' } })).toBe(0);
  });

  it('lets exactly one of two concurrent sign-ups with the same email win', async () => {
    const results = await Promise.allSettled([
      createUser(t.db.prisma, { email: 'race@example.com', password: 'first runner passphrase' }),
      createUser(t.db.prisma, { email: 'Race@example.com', password: 'second runner passphrase' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect((lost.reason as AppError).code).toBe('email_taken');
  });
});

describe('sign-in', () => {
  it('accepts the right password for any spelling of the email', async () => {
    const user = await verifyCredentials(deps(), { email: 'Ada@example.com ', password: 'analytical engine 1843', ip: '198.51.100.1' });
    expect(user.email).toBe('ada@example.com');
  });

  it('answers a wrong password and an unknown email the same way', async () => {
    const wrong = await rejection(verifyCredentials(deps(), { email: 'ada@example.com', password: 'not the password', ip: '198.51.100.2' }));
    const unknown = await rejection(verifyCredentials(deps(), { email: 'nobody@example.com', password: 'not the password', ip: '198.51.100.2' }));
    expect([wrong.code, wrong.status, wrong.message]).toEqual([unknown.code, unknown.status, unknown.message]);
    expect(wrong.code).toBe('invalid_credentials');
  });

  it('limits attempts per account, whatever the IP, and the right password is refused while limited', async () => {
    await createUser(t.db.prisma, { email: 'target@example.com', password: 'bullseye passphrase ok' });
    const attempts = SIGN_IN_LIMITS.account.points;
    for (let i = 0; i < attempts; i++) {
      const error = await rejection(verifyCredentials(deps(), { email: 'target@example.com', password: `guess ${i} wrong`, ip: `203.0.113.${i + 1}` }));
      expect(error.code).toBe('invalid_credentials');
    }
    const limited = await rejection(verifyCredentials(deps(), { email: 'target@example.com', password: 'bullseye passphrase ok', ip: '203.0.113.200' }));
    expect(limited.code).toBe('rate_limited');
    expect(limited.status).toBe(429);
    expect(limited.message).toMatch(/Try again in \d+ minute/);
  });

  it('limits attempts per IP across accounts', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < SIGN_IN_LIMITS.ip.points; i++) {
      await rejection(verifyCredentials(deps(), { email: `spray${i}@example.com`, password: 'sprayed password', ip }));
    }
    const limited = await rejection(verifyCredentials(deps(), { email: 'ada@example.com', password: 'analytical engine 1843', ip }));
    expect(limited.code).toBe('rate_limited');
    // Another address is not affected.
    await expect(verifyCredentials(deps(), { email: 'ada@example.com', password: 'analytical engine 1843', ip: '192.0.2.78' })).resolves.toMatchObject({
      email: 'ada@example.com',
    });
  });

  it('clears the account counter after a success', async () => {
    await createUser(t.db.prisma, { email: 'typo@example.com', password: 'fumbling fingers phrase' });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < SIGN_IN_LIMITS.account.points - 1; i++) {
        await rejection(verifyCredentials(deps(), { email: 'typo@example.com', password: 'typo', ip: `198.18.${round}.${i}` }));
      }
      await expect(verifyCredentials(deps(), { email: 'typo@example.com', password: 'fumbling fingers phrase', ip: `198.18.${round}.99` })).resolves.toBeTruthy();
    }
  });
});
