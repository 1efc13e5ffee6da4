// Sign-up and sign-in against the configured database and engines: argon2id hashes, normalised
// emails, clear errors, and failed sign-ins that slow strangers down without locking the owner out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { SIGN_IN_BACKOFF } from '@/lib/accounts/sign-in-throttle';
import { verifyCredentials } from '@/lib/accounts/verify-credentials';
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
    // Text the database cannot compare (a NUL, an unpaired surrogate) is a wrong email too, not an outage.
    for (const email of ['ada\u0000@example.com', 'ada\ud800@example.com']) {
      const odd = await rejection(verifyCredentials(deps(), { email, password: 'not the password', ip: '198.51.100.2' }));
      expect([odd.code, odd.status, odd.message]).toEqual([unknown.code, unknown.status, unknown.message]);
    }
  });

  it('refuses a sign-up name with control, bidirectional or invisible characters, and writes nothing', async () => {
    for (const name of ['a\u0000b', '\u202eadmin', 'zero\u200bwidth', 'two\nlines']) {
      const error = await rejection(createUser(t.db.prisma, { email: 'named@example.com', password: 'a good long passphrase', name }));
      expect(error.code, JSON.stringify(name)).toBe('invalid_input');
    }
    expect(await t.db.prisma.user.count({ where: { email: 'named@example.com' } })).toBe(0);
  });

  it("lets the owner sign in at once, from their address or a new one, after a stranger's 12 wrong passwords; the stranger is slowed", async () => {
    await createUser(t.db.prisma, { email: 'target@example.com', password: 'bullseye passphrase ok' });
    const owner = '198.51.100.40';
    await verifyCredentials(deps(), { email: 'target@example.com', password: 'bullseye passphrase ok', ip: owner });
    const stranger = '203.0.113.66';
    const answers: AppError[] = [];
    for (let i = 0; i < 12; i++) {
      answers.push(await rejection(verifyCredentials(deps(), { email: 'target@example.com', password: `guess ${i} wrong`, ip: stranger })));
    }
    // The first few are plain wrong passwords; then the stranger's address waits, longer each time.
    expect(answers.slice(0, SIGN_IN_BACKOFF.pair.free).map((e) => e.code)).toEqual(Array(SIGN_IN_BACKOFF.pair.free).fill('invalid_credentials'));
    const last = answers.at(-1)!;
    expect([last.code, last.status]).toEqual(['rate_limited', 429]);
    expect(last.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(last.message).toMatch(/Try again in \d+ seconds?/);
    // The right password from the stranger's address is refused too while it waits (no oracle).
    expect((await rejection(verifyCredentials(deps(), { email: 'target@example.com', password: 'bullseye passphrase ok', ip: stranger }))).code).toBe(
      'rate_limited',
    );
    // The owner gets in at once from their own address, and from one never seen before.
    await expect(verifyCredentials(deps(), { email: 'target@example.com', password: 'bullseye passphrase ok', ip: owner })).resolves.toMatchObject({
      email: 'target@example.com',
    });
    await expect(
      verifyCredentials(deps(), { email: 'target@example.com', password: 'bullseye passphrase ok', ip: '198.51.100.41' }),
    ).resolves.toMatchObject({ email: 'target@example.com' });
  });

  it("slows, never locks, an account guessed from many addresses; the owner's known address skips the slow-down", async () => {
    // A low account threshold so the test need not make 50 guesses; the mechanism is the same.
    const backoff = { ...SIGN_IN_BACKOFF, account: { ...SIGN_IN_BACKOFF.account, name: 'signin:account:t', free: 4 } };
    const d = () => ({ ...deps(), backoff });
    await createUser(t.db.prisma, { email: 'popular@example.com', password: 'many admirers phrase' });
    const home = '2001:db8:aa:1::10';
    await verifyCredentials(d(), { email: 'popular@example.com', password: 'many admirers phrase', ip: home });
    for (let i = 0; i < 8; i++) {
      await rejection(verifyCredentials(d(), { email: 'popular@example.com', password: `botnet ${i}`, ip: `203.0.113.${100 + i}` }));
    }
    // From a new address the owner must wait a little (seconds, capped), with the reason.
    const slowed = await rejection(verifyCredentials(d(), { email: 'popular@example.com', password: 'many admirers phrase', ip: '198.51.100.77' }));
    expect(slowed.code).toBe('rate_limited');
    expect(slowed.message).toMatch(/from a device you signed in with before/);
    expect(slowed.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(slowed.details?.retryAfterSeconds).toBeLessThanOrEqual(SIGN_IN_BACKOFF.account.maxSeconds);
    // From the address that signed in before (another address in the same IPv6 /64 counts), at once.
    await expect(verifyCredentials(d(), { email: 'popular@example.com', password: 'many admirers phrase', ip: '2001:db8:aa:1::99' })).resolves.toMatchObject({
      email: 'popular@example.com',
    });
  });

  it('slows an address that sprays many accounts, and only that address', async () => {
    const ip = '192.0.2.77';
    let refused: AppError | undefined;
    for (let i = 0; i < SIGN_IN_BACKOFF.address.free + 3 && !refused; i++) {
      const error = await rejection(verifyCredentials(deps(), { email: `spray${i}@example.com`, password: 'sprayed password', ip }));
      if (error.code === 'rate_limited') refused = error;
    }
    expect(refused?.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect((await rejection(verifyCredentials(deps(), { email: 'ada@example.com', password: 'analytical engine 1843', ip }))).code).toBe('rate_limited');
    await expect(verifyCredentials(deps(), { email: 'ada@example.com', password: 'analytical engine 1843', ip: '192.0.2.78' })).resolves.toMatchObject({
      email: 'ada@example.com',
    });
  });

  it('counts an IPv6 /64 as one address', async () => {
    let refused: AppError | undefined;
    for (let i = 0; i < SIGN_IN_BACKOFF.pair.free + 2 && !refused; i++) {
      const error = await rejection(verifyCredentials(deps(), { email: 'ada@example.com', password: 'rotating guess', ip: `2001:db8:bad:1::${i + 1}` }));
      if (error.code === 'rate_limited') refused = error;
    }
    expect(refused?.code).toBe('rate_limited');
  });

  it("forgets an address's failures on the account after it signs in", async () => {
    await createUser(t.db.prisma, { email: 'typo@example.com', password: 'fumbling fingers phrase' });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < SIGN_IN_BACKOFF.pair.free; i++) {
        const error = await rejection(verifyCredentials(deps(), { email: 'typo@example.com', password: 'typo', ip: '198.18.0.9' }));
        expect(error.code).toBe('invalid_credentials');
      }
      await expect(verifyCredentials(deps(), { email: 'typo@example.com', password: 'fumbling fingers phrase', ip: '198.18.0.9' })).resolves.toBeTruthy();
    }
  });
});
