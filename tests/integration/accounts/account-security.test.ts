// Account security against the configured database and engines, with mail delivered by SMTP to a
// real in-process SMTP server: sign-up and "forgot password" answer the same (and in the same time)
// whether or not the address has an account; reset links are single-use, expire and end every
// session; a password change ends the other sessions; the emailed verification link confirms the
// address, which public streaming and Stripe checkout require; a TOTP code works once; confirming with
// the password (change it, turn 2FA off, delete the account) stops, right password too, at the limit.
import { generate } from 'otplib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountMailDeps } from '@/lib/accounts/account-mail';
import { hashAccountToken, issueAccountToken } from '@/lib/accounts/account-tokens';
import { runAdminCommand } from '@/lib/accounts/admin-commands';
import { listAuditEvents } from '@/lib/accounts/audit';
import { createUser } from '@/lib/accounts/create-user';
import { resendVerification, verifyEmail } from '@/lib/accounts/email-verification';
import { scheduleAccountDeletion } from '@/lib/accounts/account-deletion';
import { CONFIRMATION_ATTEMPTS } from '@/lib/accounts/password-confirmation';
import { changePassword, requestPasswordReset, resetPassword, RESET_REQUEST_MESSAGE } from '@/lib/accounts/password-reset';
import { endAllSessions } from '@/lib/accounts/session-version';
import { createSessionCheckCache, createSessionRecord, endSession, listSessions, MAX_SESSIONS_PER_USER, readSession, SESSION_MAX_AGE_SECONDS } from '@/lib/accounts/sessions';
import { signUp } from '@/lib/accounts/sign-up';
import { confirmTwoFactor, disableTwoFactor, startTwoFactorSetup } from '@/lib/accounts/two-factor';
import { verifyCredentials } from '@/lib/accounts/verify-credentials';
import { getBilling, type StripeBilling } from '@/lib/billing/stripe-client';
import { toggleFirehose } from '@/lib/billing/toggle-firehose';
import { parseConfig } from '@/lib/config';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { createMailer } from '@/lib/mail/create-mailer';
import type { Mailer } from '@/lib/mail/types';
import { createTrustPolicy } from '@/lib/trust/policy';
import { createFeed } from '@/lib/feeds';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '@/tests/helpers/smtp-sink';
import { startStripeStandIn, type StripeStandIn } from '@/tests/helpers/stripe-stand-in';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let sink: SmtpSink;
let mailer: Mailer;
const logger = pino({ level: 'silent' });
const deps = (): AccountMailDeps & { engines: typeof engines } => ({
  prisma: t.db.prisma,
  engines,
  mail: { mailer, logger },
  baseUrl: 'http://sluice.test',
});
const PASSWORD = 'a long enough passphrase';

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  sink = await startSmtpSink();
  mailer = createMailer({ smtpUrl: sink.url, from: 'Sluice <noreply@sluice.test>', prisma: t.db.prisma, logger });
});
afterAll(async () => {
  mailer?.close();
  await sink?.close();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop();
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; status: number; details?: Record<string, unknown> }> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeTruthy();
  return error as { code: string; status: number };
}

/** The TOTP code of the time step `steps` away from now (one step either way is within the tolerance). */
const codeAt = (secret: string, steps: number) => generate({ secret, epoch: Math.floor(Date.now() / 1000) + steps * 30 });
const currentStep = () => Math.floor(Date.now() / 30_000);

/** Starts a test that compares time steps at least `seconds` before the current 30-second step ends. */
async function clearOfStepEnd(seconds = 10) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < seconds * 1000) await new Promise((r) => setTimeout(r, left + 100));
}

/** Waits for the n-th mail to an address (oldest first). */
async function mailTo(address: string, n = 1): Promise<ReceivedMail> {
  await expect.poll(() => sink.to(address).length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(n);
  return sink.to(address)[n - 1];
}

const linkIn = (mail: ReceivedMail, path: string) => {
  const link = mail.links.find((l) => l.startsWith(`http://sluice.test${path}?token=`));
  expect(link, mail.text).toBeTruthy();
  return new URL(link!).searchParams.get('token')!;
};

/** Mean of a list after dropping the slowest and fastest fifth (a shared machine has hiccups both ways). */
function trimmedMean(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 5);
  const kept = sorted.slice(cut, sorted.length - cut);
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}

/**
 * Times `run(known)` and `run(unknown)` back to back (alternating which goes first), `rounds` times.
 * Returns both trimmed means and the trimmed mean of the paired differences (known − unknown): pairs
 * cancel the slow drift of a loaded machine, so a real difference in work shows and noise does not.
 */
async function pairedTimings(
  rounds: number,
  run: (known: boolean, i: number) => Promise<{ delivery: Promise<void> }>,
  settle?: (known: boolean, i: number) => Promise<void>,
) {
  const known: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < rounds; i++) {
    for (const isKnown of i % 2 ? [true, false] : [false, true]) {
      const started = performance.now();
      const { delivery } = await run(isKnown, i);
      (isKnown ? known : unknown).push(performance.now() - started);
      // What happens after the answer (lookup, token, mail) is not timed, and must not spill into the next request's time.
      await delivery;
      // A mail handed to SMTP in the background is still being sent: let it arrive first.
      await settle?.(isKnown, i);
    }
  }
  return { known: trimmedMean(known), unknown: trimmedMean(unknown), difference: trimmedMean(known.map((k, i) => k - unknown[i])) };
}

describe('sign-up without account enumeration', () => {
  it('answers the same for a new and a taken address; the new one gets a verification link, the taken one a notice', async () => {
    const taken = await createUser(t.db.prisma, { email: 'taken@example.com', password: PASSWORD });
    const fresh = await signUp(deps(), { email: 'Fresh@Example.com', password: PASSWORD });
    const again = await signUp(deps(), { email: 'taken@example.com', password: 'someone else entirely' });
    expect(JSON.stringify(fresh.answer)).toBe(JSON.stringify({ email: 'fresh@example.com' }));
    expect(JSON.stringify(again.answer)).toBe(JSON.stringify({ email: 'taken@example.com' }));
    await Promise.all([fresh.delivery, again.delivery]);

    const verification = await mailTo('fresh@example.com');
    expect(verification.subject).toBe('Confirm your email address');
    expect(linkIn(verification, '/verify-email')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const notice = await mailTo('taken@example.com');
    expect(notice.subject).toMatch(/tried to create a Sluice account/);
    expect(notice.links).not.toContainEqual(expect.stringContaining('token='));
    // The taken account is unchanged: its password still works, the other does not.
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: taken.id } });
    expect(await verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'taken@example.com', password: PASSWORD, ip: '192.0.2.1' })).toMatchObject({ id: row.id });
    expect(await t.db.prisma.user.count({ where: { email: 'taken@example.com' } })).toBe(1);
  });

  it('rejects weak passwords the same way for both, and takes the same time for both', async () => {
    const weakNew = await rejection(signUp(deps(), { email: 'nobody-here@example.com', password: 'short' }));
    const weakTaken = await rejection(signUp(deps(), { email: 'taken@example.com', password: 'short' }));
    expect(JSON.stringify(weakNew)).toBe(JSON.stringify(weakTaken));
    expect(weakNew).toMatchObject({ code: 'weak_password', status: 400 });

    const means = await pairedTimings(12, (known, i) =>
      signUp(deps(), { email: known ? 'taken@example.com' : `timing-${i}@example.com`, password: PASSWORD }),
    );
    console.info(`sign-up mean (trimmed): taken ${means.known.toFixed(2)} ms, new ${means.unknown.toFixed(2)} ms, paired difference ${means.difference.toFixed(2)} ms`);
    expect(Math.abs(means.difference)).toBeLessThan(5);
  });
});

describe('forgot password', () => {
  it('answers identically for a known and an unknown address, in the same mean time; only the known one gets mail', async () => {
    await createUser(t.db.prisma, { email: 'owner@example.com', password: PASSWORD });
    const known = await requestPasswordReset(deps(), { email: ' Owner@Example.com ', ip: '192.0.2.10' });
    const unknown = await requestPasswordReset(deps(), { email: 'nobody@example.com', ip: '192.0.2.10' });
    expect(JSON.stringify(known.answer)).toBe(JSON.stringify(unknown.answer));
    expect(known.answer.message).toBe(RESET_REQUEST_MESSAGE);
    await Promise.all([known.delivery, unknown.delivery]);
    const mail = await mailTo('owner@example.com');
    expect(mail.subject).toBe('Reset your Sluice password');
    expect(sink.to('nobody@example.com')).toHaveLength(0);

    // Only the token's SHA-256 is stored.
    const token = linkIn(mail, '/reset-password');
    const rows = await t.db.prisma.accountToken.findMany({ where: { purpose: 'reset_password' } });
    expect(rows.map((r) => r.tokenHash)).toContain(hashAccountToken(token));
    expect(JSON.stringify(rows)).not.toContain(token);

    // Timing: the lookup and the mail happen after the answer, so both paths do the same work.
    // Each round asks for a different known and unknown address (each one's first request).
    await t.db.prisma.user.createMany({ data: Array.from({ length: 40 }, (_, i) => ({ email: `known-${i}@example.com`, passwordHash: '!' })) });
    const means = await pairedTimings(
      40,
      (isKnown, i) => requestPasswordReset(deps(), { email: `${isKnown ? 'known' : 'nobody'}-${i}@example.com`, ip: `198.51.100.${i}` }),
      async (isKnown, i) => {
        if (isKnown) await expect.poll(() => sink.to(`known-${i}@example.com`).length, { timeout: 10_000, interval: 5 }).toBe(1);
      },
    );
    await expect.poll(() => sink.messages.filter((m) => m.to[0]?.startsWith('known-')).length, { timeout: 20_000 }).toBe(40);
    console.info(`forgot-password mean (trimmed): known ${means.known.toFixed(2)} ms, unknown ${means.unknown.toFixed(2)} ms, paired difference ${means.difference.toFixed(2)} ms`);
    expect(Math.abs(means.known - means.unknown)).toBeLessThan(3);
    expect(Math.abs(means.difference)).toBeLessThan(3);
  });

  it('a reset link works once, ends every session and confirms the address; an expired or superseded one does not work', async () => {
    const user = await createUser(t.db.prisma, { email: 'reset@example.com', password: PASSWORD });
    const laptop = await createSessionRecord(t.db.prisma, { userId: user.id, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0', address: '203.0.113.7' });
    const phone = await createSessionRecord(t.db.prisma, { userId: user.id, userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0) Safari/605.1', address: '2001:db8:1:2::5' });
    expect(await listSessions(t.db.prisma, user.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: laptop, userAgent: 'Chrome on Linux', address: '203.0.113.x' }),
        expect.objectContaining({ id: phone, userAgent: 'Safari on iOS', address: '2001:db8:1::/48' }),
      ]),
    );

    await (await requestPasswordReset(deps(), { email: 'reset@example.com', ip: '192.0.2.20' })).delivery;
    const first = linkIn(await mailTo('reset@example.com', 1), '/reset-password');
    await (await requestPasswordReset(deps(), { email: 'reset@example.com', ip: '192.0.2.20' })).delivery;
    const second = linkIn(await mailTo('reset@example.com', 2), '/reset-password');
    // The newer link replaces the older one.
    expect(await rejection(resetPassword(deps(), { token: first, password: 'brand new passphrase' }))).toMatchObject({ code: 'invalid_token', status: 400 });
    // A weak password does not use the link up.
    expect(await rejection(resetPassword(deps(), { token: second, password: 'short' }))).toMatchObject({ code: 'weak_password' });
    const before = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });

    expect(await resetPassword(deps(), { token: second, password: 'brand new passphrase' })).toMatchObject({ userId: user.id });
    expect(await rejection(resetPassword(deps(), { token: second, password: 'another new passphrase' }))).toMatchObject({ code: 'invalid_token' });
    const after = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);
    expect(await listSessions(t.db.prisma, user.id)).toEqual([]);
    expect(await readSession(t.db.prisma, laptop)).toBeNull();
    expect(await verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'reset@example.com', password: 'brand new passphrase', ip: '192.0.2.20' })).toMatchObject({ id: user.id });
    const notice = await mailTo('reset@example.com', 3);
    expect(notice.subject).toBe('Your Sluice password was changed');

    // Expired: issued an hour and a second ago.
    const stale = await issueAccountToken(t.db.prisma, { userId: user.id, purpose: 'reset_password', ttlMs: 3_600_000 });
    await t.db.prisma.accountToken.updateMany({ where: { tokenHash: hashAccountToken(stale) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await rejection(resetPassword(deps(), { token: stale, password: 'yet another passphrase' }))).toMatchObject({ code: 'invalid_token' });
    // Garbage is the same answer, never a 500.
    for (const token of ['', 'x', '../../etc', 'a'.repeat(5000), null, 42]) {
      expect(await rejection(resetPassword(deps(), { token, password: 'yet another passphrase' }))).toMatchObject({ code: 'invalid_token', status: 400 });
    }

    // Two concurrent uses of one link: exactly one wins.
    const race = await issueAccountToken(t.db.prisma, { userId: user.id, purpose: 'reset_password', ttlMs: 3_600_000 });
    const results = await Promise.allSettled([
      resetPassword(deps(), { token: race, password: 'racing passphrase one' }),
      resetPassword(deps(), { token: race, password: 'racing passphrase two' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);

    // Spent links do not pile up: the next one issued drops the used and expired ones; the usable stay.
    const rows = () => t.db.prisma.accountToken.findMany({ where: { userId: user.id, purpose: 'reset_password' }, select: { tokenHash: true, usedAt: true } });
    // Five links were issued above; the used, superseded and expired ones went as the next was issued.
    expect((await rows()).map((r) => [r.tokenHash, r.usedAt !== null])).toEqual([[hashAccountToken(race), true]]);
    const next = await issueAccountToken(t.db.prisma, { userId: user.id, purpose: 'reset_password', ttlMs: 3_600_000 });
    expect((await rows()).map((r) => r.tokenHash)).toEqual([hashAccountToken(next)]);
    const alsoUsable = await issueAccountToken(t.db.prisma, { userId: user.id, purpose: 'reset_password', ttlMs: 3_600_000 });
    expect((await rows()).map((r) => r.tokenHash).sort()).toEqual([hashAccountToken(next), hashAccountToken(alsoUsable)].sort());
  });
});

describe('sessions', () => {
  it('a password change needs the current password, ends every other session and keeps this one, and mails a notice', async () => {
    const user = await createUser(t.db.prisma, { email: 'change@example.com', password: PASSWORD });
    const here = await createSessionRecord(t.db.prisma, { userId: user.id, userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0', address: '203.0.113.8' });
    const other = await createSessionRecord(t.db.prisma, { userId: user.id, userAgent: 'curl/8.0', address: '198.51.100.9' });

    expect(await rejection(changePassword(deps(), { userId: user.id, sessionId: here, currentPassword: 'not my passphrase', newPassword: 'a new passphrase here' }))).toMatchObject({
      code: 'wrong_password',
      status: 400,
    });
    expect(await readSession(t.db.prisma, other)).not.toBeNull();
    expect(await rejection(changePassword(deps(), { userId: user.id, sessionId: here, currentPassword: PASSWORD, newPassword: 'short' }))).toMatchObject({ code: 'weak_password' });

    expect(await changePassword(deps(), { userId: user.id, sessionId: here, currentPassword: PASSWORD, newPassword: 'a new passphrase here' })).toEqual({ endedSessions: 1 });
    expect(await readSession(t.db.prisma, other)).toBeNull();
    expect(await readSession(t.db.prisma, here)).toMatchObject({ userId: user.id });
    expect((await mailTo('change@example.com')).subject).toBe('Your Sluice password was changed');
    await expect(verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'change@example.com', password: PASSWORD, ip: '203.0.113.8' })).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('one device signs out alone; sign out everywhere ends the rest and bumps the version', async () => {
    const user = await createUser(t.db.prisma, { email: 'devices@example.com', password: PASSWORD });
    const a = await createSessionRecord(t.db.prisma, { userId: user.id });
    const b = await createSessionRecord(t.db.prisma, { userId: user.id });
    const stranger = await createUser(t.db.prisma, { email: 'stranger@example.com', password: PASSWORD });
    expect(await endSession(t.db.prisma, stranger.id, a)).toBe(false); // not theirs to end
    expect(await endSession(t.db.prisma, user.id, 'not-a-uuid')).toBe(false);
    expect(await endSession(t.db.prisma, user.id, a)).toBe(true);
    expect(await readSession(t.db.prisma, a)).toBeNull();
    expect(await readSession(t.db.prisma, b)).toMatchObject({ userId: user.id, version: 0 });
    expect(await endAllSessions(t.db.prisma, user.id)).toBe(1);
    expect(await readSession(t.db.prisma, b)).toBeNull();
  });

  it('session records do not pile up: a sign-in removes the expired ones and keeps at most MAX_SESSIONS_PER_USER', async () => {
    const user = await createUser(t.db.prisma, { email: 'many-devices@example.com', password: PASSWORD });
    const dayMs = 86_400_000;
    // 104 devices seen one minute apart, and one idle longer than a session cookie lives.
    await t.db.prisma.userSession.createMany({
      data: Array.from({ length: MAX_SESSIONS_PER_USER + 4 }, (_, i) => ({ userId: user.id, lastSeenAt: new Date(Date.now() - (i + 1) * 60_000) })),
    });
    const expired = await t.db.prisma.userSession.create({ data: { userId: user.id, lastSeenAt: new Date(Date.now() - SESSION_MAX_AGE_SECONDS * 1000 - dayMs) } });
    const seenLast = await t.db.prisma.userSession.findFirstOrThrow({ where: { userId: user.id }, orderBy: { lastSeenAt: 'desc' } });
    const seenFirst = await t.db.prisma.userSession.findFirstOrThrow({ where: { userId: user.id, id: { not: expired.id } }, orderBy: { lastSeenAt: 'asc' } });
    // The expired one is not listed as a device even before anything is deleted.
    expect((await listSessions(t.db.prisma, user.id)).map((d) => d.id)).not.toContain(expired.id);

    const fresh = await createSessionRecord(t.db.prisma, { userId: user.id });
    const left = await t.db.prisma.userSession.findMany({ where: { userId: user.id }, select: { id: true } });
    const ids = new Set(left.map((r) => r.id));
    expect(ids.size).toBe(MAX_SESSIONS_PER_USER);
    expect(ids.has(fresh)).toBe(true);
    expect(ids.has(seenLast.id)).toBe(true);
    expect(ids.has(expired.id)).toBe(false);
    expect(ids.has(seenFirst.id)).toBe(false);
    // Another account's devices are untouched.
    const other = await createUser(t.db.prisma, { email: 'few-devices@example.com', password: PASSWORD });
    const kept = await createSessionRecord(t.db.prisma, { userId: other.id });
    await createSessionRecord(t.db.prisma, { userId: user.id });
    expect(await readSession(t.db.prisma, kept)).toMatchObject({ userId: other.id });
  });

  it('session checks are cached for their TTL: an ended session is seen at once where it was forgotten, elsewhere after the TTL', async () => {
    const user = await createUser(t.db.prisma, { email: 'cached@example.com', password: PASSWORD });
    const a = await createSessionRecord(t.db.prisma, { userId: user.id });
    const b = await createSessionRecord(t.db.prisma, { userId: user.id });
    const here = createSessionCheckCache(60_000); // the node that ends the sessions
    const elsewhere = createSessionCheckCache(300); // another node
    for (const cache of [here, elsewhere]) {
      expect(await cache.get(t.db.prisma, a)).toMatchObject({ userId: user.id });
      expect(await cache.get(t.db.prisma, b)).toMatchObject({ userId: user.id });
    }
    await endAllSessions(t.db.prisma, user.id);
    // Cached: neither node has asked the database again yet.
    expect(await here.get(t.db.prisma, a)).not.toBeNull();
    expect(await elsewhere.get(t.db.prisma, a)).not.toBeNull();
    here.forgetUser(user.id);
    expect(await here.get(t.db.prisma, a)).toBeNull();
    expect(await here.get(t.db.prisma, b)).toBeNull();
    await new Promise((r) => setTimeout(r, 350));
    expect(await elsewhere.get(t.db.prisma, a)).toBeNull();
    expect(await here.get(t.db.prisma, 'not-a-uuid')).toBeNull();
  });
});

describe('email verification', () => {
  let stripe: StripeStandIn;
  let billing: StripeBilling;
  beforeAll(async () => {
    stripe = await startStripeStandIn();
    const b = getBilling(parseConfig({ ...process.env, ...t.env, ...stripe.env }));
    if (b.mode !== 'stripe') throw new Error('expected Stripe mode');
    billing = b;
  });
  afterAll(async () => stripe?.close());

  it('holds public sightings and refuses checkout until the emailed link is followed; the link works once', async () => {
    const { delivery } = await signUp(deps(), { email: 'verify-me@example.com', password: PASSWORD });
    await delivery;
    const user = await t.db.prisma.user.findUniqueOrThrow({ where: { email: 'verify-me@example.com' } });
    expect(user.emailVerifiedAt).toBeNull();
    // Established in every other respect (a paying plan), so only the address holds it back.
    await t.db.prisma.user.update({ where: { id: user.id }, data: { plan: 'firehose' } });
    await createFeed(t.db.prisma, user.id, { slug: 'pub', tlp: 'CLEAR' });
    const ingest = (value: string) =>
      ingestIndicators(
        { sql: t.db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }), trust: createTrustPolicy({}) },
        { ownerId: user.id, feed: 'pub', items: [value] },
      );
    expect((await ingest('held-before-verify.top')).results[0]).toMatchObject({ held: true });
    await t.db.prisma.user.update({ where: { id: user.id }, data: { plan: 'free' } });
    expect(await rejection(toggleFirehose({ prisma: t.db.prisma, engines }, billing, { userId: user.id, enable: true, baseUrl: 'http://sluice.test' }))).toMatchObject({
      code: 'email_unverified',
      status: 403,
    });
    expect(stripe.customers.size).toBe(0); // refused before Stripe was asked anything

    // Resend: a second link; either works, once.
    expect(await resendVerification(deps(), user.id)).toEqual({ sent: true });
    const token = linkIn(await mailTo('verify-me@example.com', 2), '/verify-email');
    expect(await verifyEmail(t.db.prisma, token)).toMatchObject({ email: 'verify-me@example.com' });
    expect(await verifyEmail(t.db.prisma, token)).toBeNull();
    expect(await verifyEmail(t.db.prisma, 'garbage')).toBeNull();
    expect(await resendVerification(deps(), user.id)).toEqual({ sent: false });

    const checkout = await toggleFirehose({ prisma: t.db.prisma, engines }, billing, { userId: user.id, enable: true, baseUrl: 'http://sluice.test' });
    expect(checkout).toMatchObject({ kind: 'redirect', url: expect.stringContaining('/pay/cs_') });
    await t.db.prisma.user.update({ where: { id: user.id }, data: { plan: 'firehose' } });
    expect((await ingest('streams-after-verify.top')).results[0]).not.toHaveProperty('held');
  });

  it('accounts made by the CLI or an operator are verified from the start', async () => {
    const made = await createUser(t.db.prisma, { email: 'cli-made@example.com', password: PASSWORD });
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: made.id } });
    expect(row.emailVerifiedAt).toBeInstanceOf(Date);
    const raw = await t.db.prisma.user.create({ data: { email: 'seeded@example.com', passwordHash: '!' } });
    expect(raw.emailVerifiedAt).toBeInstanceOf(Date);
  });
});

describe('two-factor sign-in (TOTP)', () => {
  it('turns on with a code from the app, then sign-in needs a code or a recovery code (each once); off needs the password', async () => {
    const user = await createUser(t.db.prisma, { email: 'totp@example.com', password: PASSWORD });
    await clearOfStepEnd();
    const signIn = (code?: string) => verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'totp@example.com', password: PASSWORD, ip: '192.0.2.77', code });

    const { secret, uri, qr } = await startTwoFactorSetup(t.db.prisma, user.id);
    expect(uri).toMatch(/^otpauth:\/\/totp\/Sluice:totp%40example\.com\?/);
    expect(qr).toMatch(/^data:image\/png;base64,/);
    expect(await signIn()).toMatchObject({ id: user.id }); // pending, not on yet
    expect(await rejection(confirmTwoFactor(t.db.prisma, user.id, '000000'))).toMatchObject({ code: 'invalid_code', status: 400 });
    const { recoveryCodes } = await confirmTwoFactor(t.db.prisma, user.id, await generate({ secret }));
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const stored = await t.db.prisma.accountToken.findMany({ where: { userId: user.id, purpose: 'recovery_code' } });
    expect(JSON.stringify(stored)).not.toContain(recoveryCodes[0].replace('-', ''));

    expect(await rejection(signIn())).toMatchObject({ code: 'two_factor_required', status: 401 });
    expect(await rejection(signIn('123456'))).toMatchObject({ code: 'invalid_code', status: 401 });
    // The setup code was used once (to turn 2FA on): sign-in takes the next one (still within the tolerance).
    expect(await rejection(signIn(await generate({ secret })))).toMatchObject({ code: 'invalid_code', status: 401 });
    expect(await signIn(await codeAt(secret, 1))).toMatchObject({ id: user.id });
    expect(await signIn(recoveryCodes[0].toUpperCase())).toMatchObject({ id: user.id });
    expect(await rejection(signIn(recoveryCodes[0]))).toMatchObject({ code: 'invalid_code' });
    // Another account's recovery code is no good here.
    const other = await createUser(t.db.prisma, { email: 'totp-other@example.com', password: PASSWORD });
    const otherSetup = await startTwoFactorSetup(t.db.prisma, other.id);
    const otherCodes = await confirmTwoFactor(t.db.prisma, other.id, await generate({ secret: otherSetup.secret }));
    expect(await rejection(signIn(otherCodes.recoveryCodes[0]))).toMatchObject({ code: 'invalid_code' });

    // Turning it off takes the password and a second factor: the password alone, a made-up code or
    // a recovery code already used are refused, and 2FA stays on.
    const disable = (password: string, code?: string) => disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, password, code);
    expect(await rejection(disable('not my passphrase', recoveryCodes[1]))).toMatchObject({ code: 'wrong_password' });
    expect(await rejection(disable(PASSWORD))).toMatchObject({ code: 'invalid_code', status: 400 });
    expect(await rejection(disable(PASSWORD, '123456'))).toMatchObject({ code: 'invalid_code' });
    expect(await rejection(disable(PASSWORD, recoveryCodes[0]))).toMatchObject({ code: 'invalid_code' });
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabledAt).not.toBeNull();
    await disable(PASSWORD, recoveryCodes[1]);
    expect(await signIn()).toMatchObject({ id: user.id });
    // The other recovery codes stopped working with it.
    expect(await t.db.prisma.accountToken.count({ where: { userId: user.id, purpose: 'recovery_code', usedAt: null } })).toBe(0);
  });

  it('an operator turns two-factor sign-in off for someone who lost the device and the recovery codes', async () => {
    const user = await createUser(t.db.prisma, { email: 'totp-operator@example.com', password: PASSWORD });
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    await confirmTwoFactor(t.db.prisma, user.id, await generate({ secret }));
    const signIn = () => verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'totp-operator@example.com', password: PASSWORD, ip: '198.51.100.77' });
    expect(await rejection(signIn())).toMatchObject({ code: 'two_factor_required' });
    expect((await runAdminCommand(deps(), { type: 'user.two-factor-off', email: 'totp-operator@example.com' })).lines[0]).toMatch(/^turned two-factor sign-in off/);
    expect(await signIn()).toMatchObject({ id: user.id });
    expect(await t.db.prisma.accountToken.count({ where: { userId: user.id, purpose: 'recovery_code', usedAt: null } })).toBe(0);
    expect((await runAdminCommand(deps(), { type: 'user.two-factor-off', email: 'totp-operator@example.com' })).lines[0]).toMatch(/does not use two-factor/);
    expect(await rejection(runAdminCommand(deps(), { type: 'user.two-factor-off', email: 'nobody-2fa@example.com' }))).toMatchObject({ status: 404 });
    expect((await listAuditEvents(t.db.prisma, user.id)).map((e) => e.action)).toContain('two_factor_disabled');
  });

  it('a TOTP code works once: the same code (or an older one) is refused after it signed in, and of two sign-ins racing with one code exactly one wins', async () => {
    const user = await createUser(t.db.prisma, { email: 'totp-replay@example.com', password: PASSWORD });
    let ip = 0;
    // A fresh address per attempt, so that the sign-in slow-down never answers for the code.
    const signIn = (code: string) => verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'totp-replay@example.com', password: PASSWORD, ip: `198.51.100.${++ip}`, code });
    await clearOfStepEnd();
    const step = currentStep();
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    const { recoveryCodes } = await confirmTwoFactor(t.db.prisma, user.id, await codeAt(secret, -1));

    const now = await codeAt(secret, 0);
    expect(await signIn(now)).toMatchObject({ id: user.id });
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).totpLastStep).toBe(step);
    expect(await rejection(signIn(now))).toMatchObject({ code: 'invalid_code', status: 401 });
    // The code of the step before (still within the clock tolerance) is older than the one used.
    expect(await rejection(signIn(await codeAt(secret, -1)))).toMatchObject({ code: 'invalid_code' });

    // The next step's code, in three sign-ins at once: one session.
    const next = await codeAt(secret, 1);
    const raced = await Promise.allSettled([signIn(next), signIn(next), signIn(next)]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of raced) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'invalid_code' });
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).totpLastStep).toBe(step + 1);

    // Turning it off takes a second factor too, and a spent code is no good there either.
    expect(await rejection(disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, PASSWORD, next))).toMatchObject({ code: 'invalid_code' });
    // A new secret is a new sequence: its current code turns 2FA on (once), the next one signs in.
    await disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, PASSWORD, recoveryCodes[0]);
    const again = await startTwoFactorSetup(t.db.prisma, user.id);
    const setupCode = await codeAt(again.secret, 0);
    await confirmTwoFactor(t.db.prisma, user.id, setupCode);
    expect(await rejection(signIn(setupCode))).toMatchObject({ code: 'invalid_code' });
    expect(await signIn(await codeAt(again.secret, 1))).toMatchObject({ id: user.id });
  });

  it('of two setup confirmations at once, one turns 2FA on', async () => {
    const user = await createUser(t.db.prisma, { email: 'totp-confirm-race@example.com', password: PASSWORD });
    await clearOfStepEnd(5);
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    const code = await codeAt(secret, 0);
    const raced = await Promise.allSettled([confirmTwoFactor(t.db.prisma, user.id, code), confirmTwoFactor(t.db.prisma, user.id, code)]);
    expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const won = raced.find((r) => r.status === 'fulfilled')!;
    const issued = won.status === 'fulfilled' ? won.value.recoveryCodes : [];
    // The recovery codes shown are the ones that work.
    const stored = await t.db.prisma.accountToken.findMany({ where: { userId: user.id, purpose: 'recovery_code', usedAt: null } });
    expect(stored.map((r) => r.tokenHash).sort()).toEqual(issued.map((c) => hashAccountToken(c.replace('-', ''))).sort());
  });
});

describe('confirming with the password (change password, turn 2FA off, delete the account)', () => {
  const over = (p: Promise<unknown>) => rejection(p).then((e) => {
    expect(e).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(e.details?.retryAfterSeconds).toBeGreaterThan(0);
    expect(e.details?.retryAfterSeconds).toBeLessThanOrEqual(CONFIRMATION_ATTEMPTS.durationSeconds);
  });

  it('once an account has used up its wrong passwords, every attempt is refused — the right password too — in every confirming action, until the window passes', async () => {
    const user = await createUser(t.db.prisma, { email: 'confirm-limit@example.com', password: PASSWORD });
    const change = (currentPassword: string) =>
      changePassword(deps(), { userId: user.id, sessionId: null, currentPassword, newPassword: 'a different passphrase now' });
    const disable = (password: string) => disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, password);
    const schedule = (password: string) => scheduleAccountDeletion(deps(), { userId: user.id, password, coolingOffDays: 7 });

    // One limit over the three actions: wrong passwords in any of them count.
    const wrongs = [change, disable, schedule];
    for (let i = 0; i < CONFIRMATION_ATTEMPTS.points; i++) {
      expect(await rejection(wrongs[i % 3](`wrong passphrase ${i}`))).toMatchObject({ code: 'wrong_password', status: 400 });
    }
    await over(change('wrong passphrase 10'));
    await over(disable('wrong passphrase 11'));
    // The right password is refused as well, and nothing changes.
    await over(change(PASSWORD));
    await over(disable(PASSWORD));
    await over(schedule(PASSWORD));
    const row = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.deletionDueAt).toBeNull();
    expect(await verifyCredentials({ prisma: t.db.prisma, engines }, { email: 'confirm-limit@example.com', password: PASSWORD, ip: '192.0.2.90' })).toMatchObject({ id: user.id });

    // When the window has passed (its counter is gone), the right password works again.
    await engines.rateLimiter(CONFIRMATION_ATTEMPTS).reset(user.id);
    expect(await change(PASSWORD)).toEqual({ endedSessions: 0 });
  });

  it('turning two-factor sign-in off is limited like the others', async () => {
    const user = await createUser(t.db.prisma, { email: 'confirm-2fa@example.com', password: PASSWORD });
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    await confirmTwoFactor(t.db.prisma, user.id, await generate({ secret }));
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) answers.push((await rejection(disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, `guess ${i}`))).code);
    expect(answers).toEqual([...Array(10).fill('wrong_password'), 'rate_limited', 'rate_limited']);
    await over(disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, PASSWORD));
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).totpEnabledAt).not.toBeNull();
  });

  it('only wrong attempts count, and a burst of parallel guesses gets no more than the limit verified', async () => {
    const user = await createUser(t.db.prisma, { email: 'confirm-burst@example.com', password: PASSWORD });
    // Right passwords between wrong ones do not count (nor does a weak new password after a right one).
    for (let i = 0; i < CONFIRMATION_ATTEMPTS.points - 1; i++) {
      expect(await rejection(disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, `guess ${i}`))).toMatchObject({ code: 'wrong_password' });
      await disableTwoFactor({ prisma: t.db.prisma, engines }, user.id, PASSWORD);
    }
    expect(await rejection(changePassword(deps(), { userId: user.id, sessionId: null, currentPassword: PASSWORD, newPassword: 'short' }))).toMatchObject({ code: 'weak_password' });
    expect(await engines.rateLimiter(CONFIRMATION_ATTEMPTS).peek(user.id)).toMatchObject({ consumed: CONFIRMATION_ATTEMPTS.points - 1 });

    await engines.rateLimiter(CONFIRMATION_ATTEMPTS).reset(user.id);
    const burst = await Promise.all(
      Array.from({ length: 16 }, (_, i) => rejection(changePassword(deps(), { userId: user.id, sessionId: null, currentPassword: `parallel guess ${i}`, newPassword: 'x' }))),
    );
    const codes = burst.map((e) => e.code);
    expect(codes.filter((c) => c === 'wrong_password')).toHaveLength(CONFIRMATION_ATTEMPTS.points);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(16 - CONFIRMATION_ATTEMPTS.points);
  });
});
