// Account deletion by its owner (issue #17), against the configured database and engines, with mail
// delivered by SMTP to a real in-process server: scheduling needs the password (and a second factor
// when 2FA is on) and is refused while Stripe bills; it suspends the API tokens and ends streams at
// once; nothing is deleted before the date; cancelling restores the tokens; the sweep after the date
// deletes the account, recounts what it reported publicly and removes its personal data; two
// sweepers racing delete it once. And the notice mailed when a token is created.
import { randomBytes } from 'node:crypto';
import { generate } from 'otplib';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cancelAccountDeletion, findPendingDeletion, scheduleAccountDeletion, sweepDueAccountDeletions } from '@/lib/accounts/account-deletion';
import type { AccountMailDeps } from '@/lib/accounts/account-mail';
import { runAdminCommand } from '@/lib/accounts/admin-commands';
import { createUser } from '@/lib/accounts/create-user';
import { createSessionRecord } from '@/lib/accounts/sessions';
import { notifyTokenCreated } from '@/lib/accounts/token-notice';
import { confirmTwoFactor, startTwoFactorSetup } from '@/lib/accounts/two-factor';
import { subscribeControl, type ControlMessage } from '@/lib/control';
import { parseConfig } from '@/lib/config';
import { createJobQueue } from '@/lib/jobs';
import { createMailer } from '@/lib/mail/create-mailer';
import type { Mailer } from '@/lib/mail/types';
import { findStreamVerdicts } from '@/lib/realtime/stream-grants';
import { createApiToken, verifyApiToken } from '@/lib/tokens';
import { startWorkers } from '@/server/workers';
import { ACCOUNT_DELETION_JOB } from '@/server/workers/account-deletion-handler';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '@/tests/helpers/smtp-sink';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, uniqueName, type TestDatabase } from '@/tests/helpers/test-env';
import { testJobsConfig } from '../jobs/helpers';
import { ingest, makeFeed } from '../ingest/helpers';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let sink: SmtpSink;
let mailer: Mailer;
const logger = pino({ level: 'silent' });
const deps = (): AccountMailDeps & { engines: typeof engines } => ({ prisma: t.db.prisma, engines, mail: { mailer, logger }, baseUrl: 'http://sluice.test' });
const PASSWORD = 'a long enough passphrase';
const DAY_MS = 86_400_000;

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

async function mailTo(address: string, n = 1): Promise<ReceivedMail> {
  await expect.poll(() => sink.to(address).length, { timeout: 10_000, interval: 50 }).toBeGreaterThanOrEqual(n);
  return sink.to(address)[n - 1];
}

async function rejection(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error, 'expected a refusal').toBeTruthy();
  return error as { code: string; status: number; message: string };
}

async function person() {
  const email = `del_${randomBytes(5).toString('hex')}@test.local`;
  const user = await createUser(t.db.prisma, { email, password: PASSWORD });
  const token = await createApiToken(t.db.prisma, { userId: user.id, name: 'laptop', scopes: ['read', 'submit', 'stream'] });
  return { user: { id: user.id, email }, token };
}

const counters = (value: string) =>
  t.db.prisma.indicator.findUnique({ where: { type_value: { type: 'domain', value } }, select: { count: true, publicCount: true } });
const use = { address: '198.51.100.7' };

describe('account deletion by its owner', () => {
  it('schedules with the password, suspends the tokens, waits for the date, can be cancelled, then deletes and recounts', async () => {
    const heard: ControlMessage[] = [];
    const unsubscribe = await subscribeControl(engines, (m) => heard.push(m));
    try {
      const { user, token } = await person();
      const other = await person();
      await t.db.prisma.user.update({ where: { id: user.id }, data: { plan: 'firehose' } });
      await makeFeed(t.db, user.id, 'pub');
      await makeFeed(t.db, other.user.id, 'pub');
      const only = `only-${randomBytes(3).toString('hex')}.badsite.net`;
      const shared = `shared-${randomBytes(3).toString('hex')}.badsite.net`;
      await ingest(t.db, { ownerId: user.id, feed: 'pub', items: [{ value: only }, { value: shared }] });
      await ingest(t.db, { ownerId: other.user.id, feed: 'pub', items: [{ value: shared }] });
      await createSessionRecord(t.db.prisma, { userId: user.id, userAgent: 'Mozilla/5.0 Firefox/140.0', address: '198.51.100.7' });
      await t.db.prisma.signInAddress.create({ data: { userId: user.id, address: '198.51.100.7' } });
      await t.db.prisma.mailOutbox.create({ data: { to: user.email, subject: 'kept locally', text: 'personal' } });

      // A wrong password is refused (4xx) and schedules nothing.
      expect(await rejection(scheduleAccountDeletion(deps(), { userId: user.id, password: 'not it at all', coolingOffDays: 7 }))).toMatchObject({ code: 'wrong_password', status: 400 });
      expect(await findPendingDeletion(deps(), user.id)).toBeNull();
      expect((await verifyApiToken(t.db.prisma, token.token, use)).user.id).toBe(user.id);

      const before = Date.now();
      const scheduled = await scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, coolingOffDays: 7, audit: { actorUserId: user.id, ip: '198.51.100.7', source: 'web' } });
      await scheduled.delivery;
      expect(scheduled.dueAt.getTime() - before).toBeGreaterThanOrEqual(7 * DAY_MS - 1000);
      expect(scheduled.dueAt.getTime() - Date.now()).toBeLessThanOrEqual(7 * DAY_MS);
      const notice = await mailTo(user.email);
      expect(notice.subject).toBe('Your Sluice account will be deleted');
      expect(notice.text).toContain(scheduled.dueAt.toISOString().slice(0, 16).replace('T', ' '));
      expect(notice.links).toContain('http://sluice.test/settings');

      // Suspended at once: refused at use, streams told to end, the backstop agrees.
      expect(await rejection(verifyApiToken(t.db.prisma, token.token, use))).toMatchObject({ code: 'invalid_token', status: 401 });
      await expect.poll(() => heard).toContainEqual({ type: 'token_revoked', tokenId: token.id, userId: user.id });
      expect((await findStreamVerdicts(t.db.prisma, [token.id])).get(token.id)).toBe('token_revoked');
      expect(await rejection(createApiToken(t.db.prisma, { userId: user.id, name: 'another', scopes: ['read'] }))).toMatchObject({ code: 'deletion_pending', status: 409 });

      // Asking again keeps the first date (and sends no second mail).
      const again = await scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, coolingOffDays: 1 });
      expect(again.dueAt.toISOString()).toBe(scheduled.dueAt.toISOString());

      // Not before the date.
      const early = await sweepDueAccountDeletions(deps(), { now: new Date(scheduled.dueAt.getTime() - 60_000) });
      expect(early.deleted.map((d) => d.userId)).not.toContain(user.id);
      expect(await t.db.prisma.user.findUnique({ where: { id: user.id }, select: { id: true } })).not.toBeNull();

      // Cancelled: recorded (the columns clear), mailed, and the token works again as it was.
      const cancelled = await cancelAccountDeletion(deps(), user.id);
      expect(cancelled.cancelled).toBe(true);
      await cancelled.delivery;
      expect((await mailTo(user.email, 2)).subject).toBe('The deletion of your Sluice account was cancelled');
      expect(sink.to(user.email)).toHaveLength(2);
      expect(await findPendingDeletion(deps(), user.id)).toBeNull();
      const audited = await t.db.prisma.auditEvent.findMany({ where: { subjectUserId: user.id }, orderBy: { id: 'asc' }, select: { action: true, ip: true } });
      expect(audited.map((a) => a.action)).toEqual(['deletion_scheduled', 'deletion_cancelled']);
      expect(audited[0].ip).toBe('198.51.100.7');
      expect((await verifyApiToken(t.db.prisma, token.token, use)).tokenId).toBe(token.id);
      expect((await findStreamVerdicts(t.db.prisma, [token.id])).get(token.id)).toBeNull();
      expect((await cancelAccountDeletion(deps(), user.id)).cancelled).toBe(false);
      // A cancelled deletion is not run, even by a sweep long after the old date.
      const afterCancel = await sweepDueAccountDeletions(deps(), { now: new Date(scheduled.dueAt.getTime() + DAY_MS) });
      expect(afterCancel.deleted.map((d) => d.userId)).not.toContain(user.id);

      // Scheduled again, then swept after the date.
      const second = await scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, coolingOffDays: 7 });
      await second.delivery;
      await mailTo(user.email, 3);
      const swept = await sweepDueAccountDeletions(deps(), { now: new Date(second.dueAt.getTime() + 1000) });
      expect(swept.failed).toEqual([]);
      expect(swept.deleted).toContainEqual(expect.objectContaining({ userId: user.id, email: user.email, indicatorsRemoved: 1 }));

      expect(await t.db.prisma.user.findUnique({ where: { id: user.id } })).toBeNull();
      expect(await t.db.prisma.userSession.count({ where: { userId: user.id } })).toBe(0);
      expect(await t.db.prisma.signInAddress.count({ where: { userId: user.id } })).toBe(0);
      expect(await t.db.prisma.apiToken.count({ where: { userId: user.id } })).toBe(0);
      expect(await t.db.prisma.mailOutbox.count({ where: { to: user.email } })).toBe(0);
      expect(await t.db.prisma.auditEvent.count({ where: { subjectUserId: user.id } })).toBe(0);
      expect(await t.db.prisma.auditEvent.count({ where: { action: 'user_deleted', details: { path: ['userId'], equals: user.id } } })).toBe(1);
      expect(await rejection(verifyApiToken(t.db.prisma, token.token, use))).toMatchObject({ code: 'invalid_token', status: 401 });
      // Recounted: what only they reported is gone; the shared value keeps the other reporter's sighting.
      expect(await counters(only)).toBeNull();
      expect(await counters(shared)).toMatchObject({ count: 1, publicCount: 1 });
      // The last notice (over SMTP only).
      expect((await mailTo(user.email, 4)).subject).toBe('Your Sluice account was deleted');
      // The other account is untouched.
      expect((await verifyApiToken(t.db.prisma, other.token.token, use)).user.id).toBe(other.user.id);
    } finally {
      await unsubscribe();
    }
  });

  it('asks for a two-factor or recovery code when 2FA is on', async () => {
    const { user } = await person();
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    const { recoveryCodes } = await confirmTwoFactor(t.db.prisma, user.id, await generate({ secret }));
    expect(await rejection(scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, coolingOffDays: 7 }))).toMatchObject({ code: 'invalid_code', status: 400 });
    expect(await rejection(scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, code: '000000', coolingOffDays: 7 }))).toMatchObject({ code: 'invalid_code', status: 400 });
    expect(await findPendingDeletion(deps(), user.id)).toBeNull();
    const scheduled = await scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, code: recoveryCodes[0], coolingOffDays: 7 });
    expect((await findPendingDeletion(deps(), user.id))?.dueAt.toISOString()).toBe(scheduled.dueAt.toISOString());
  });

  it('takes a TOTP code once: the code that turned 2FA on (or signed in) does not confirm a deletion', async () => {
    const { user } = await person();
    const left = 30_000 - (Date.now() % 30_000); // clear of the end of the current 30-second step
    if (left < 5_000) await new Promise((r) => setTimeout(r, left + 100));
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    const used = await generate({ secret });
    await confirmTwoFactor(t.db.prisma, user.id, used);
    expect(await rejection(scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, code: used, coolingOffDays: 7 }))).toMatchObject({ code: 'invalid_code' });
    expect(await findPendingDeletion(deps(), user.id)).toBeNull();
    const next = await generate({ secret, epoch: Math.floor(Date.now() / 1000) + 30 });
    await scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, code: next, coolingOffDays: 7 });
    expect(await findPendingDeletion(deps(), user.id)).not.toBeNull();
  });

  it('after ten wrong passwords or codes, refuses the right password and code too (rate_limited) and schedules nothing', async () => {
    const { user } = await person();
    const { secret } = await startTwoFactorSetup(t.db.prisma, user.id);
    const { recoveryCodes } = await confirmTwoFactor(t.db.prisma, user.id, await generate({ secret }));
    const answers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const attempt = i % 2 ? { password: PASSWORD, code: '000000' } : { password: `wrong ${i}`, code: recoveryCodes[1] };
      answers.push((await rejection(scheduleAccountDeletion(deps(), { userId: user.id, ...attempt, coolingOffDays: 7 }))).code);
    }
    expect(answers).toEqual([...Array.from({ length: 10 }, (_, i) => (i % 2 ? 'invalid_code' : 'wrong_password')), 'rate_limited', 'rate_limited']);
    const refused = await rejection(scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, code: recoveryCodes[0], coolingOffDays: 7 }));
    expect(refused).toMatchObject({ code: 'rate_limited', status: 429 });
    expect(await findPendingDeletion(deps(), user.id)).toBeNull();
    // Refused before anything was checked: the recovery code was not used up.
    expect(await t.db.prisma.accountToken.count({ where: { userId: user.id, purpose: 'recovery_code', usedAt: null } })).toBe(10);
  });

  it('is refused while Stripe bills the account, pointing to the billing portal', async () => {
    const { user } = await person();
    await t.db.prisma.subscription.create({ data: { userId: user.id, provider: 'stripe', status: 'active' } });
    const refused = await rejection(scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, coolingOffDays: 7 }));
    expect(refused).toMatchObject({ code: 'subscription_active', status: 409 });
    expect(refused.message).toContain('billing portal');
    expect(await findPendingDeletion(deps(), user.id)).toBeNull();
  });

  it('two sweepers racing delete each due account once', async () => {
    const people = await Promise.all([person(), person(), person()]);
    const now = new Date();
    for (const { user } of people) await scheduleAccountDeletion(deps(), { userId: user.id, password: PASSWORD, coolingOffDays: 0, now: new Date(now.getTime() - 1000) });
    const [a, b] = await Promise.all([sweepDueAccountDeletions(deps(), { now }), sweepDueAccountDeletions(deps(), { now })]);
    const ids = people.map((p) => p.user.id);
    const deleted = [...a.deleted, ...b.deleted].map((d) => d.userId).filter((id) => ids.includes(id));
    expect(deleted.sort()).toEqual([...ids].sort());
    expect([...a.failed, ...b.failed]).toEqual([]);
    expect(await t.db.prisma.user.count({ where: { id: { in: ids } } })).toBe(0);
    for (const { user } of people) {
      await expect.poll(() => sink.to(user.email).map((m) => m.subject)).toContain('Your Sluice account was deleted');
      expect(sink.to(user.email).filter((m) => m.subject === 'Your Sluice account was deleted')).toHaveLength(1);
    }
  });
});

describe('the sweep on the workers', () => {
  it('a queued sweep job deletes the accounts whose date has passed, and only those', async () => {
    const config = testJobsConfig();
    const queue = createJobQueue({ db: t.db, engines }, config, uniqueName('analysis'));
    const workers = startWorkers({ config: parseConfig({}), db: t.db, engines, logger }, { queue, config, scheduler: false, concurrency: 1 });
    try {
      const due = await person();
      const later = await person();
      await scheduleAccountDeletion(deps(), { userId: due.user.id, password: PASSWORD, coolingOffDays: 0 });
      await scheduleAccountDeletion(deps(), { userId: later.user.id, password: PASSWORD, coolingOffDays: 7 });
      await queue.add(ACCOUNT_DELETION_JOB, {}, { key: uniqueName('sweep') });
      await expect.poll(() => t.db.prisma.user.count({ where: { id: due.user.id } }), { timeout: 20_000, interval: 100 }).toBe(0);
      expect(await findPendingDeletion(deps(), later.user.id)).not.toBeNull();
    } finally {
      await workers.stop();
      await queue.close();
    }
  });
});

describe('the notice of a new API token', () => {
  it('is mailed for a token made by an operator (sluice admin token create), without the token', async () => {
    const { user } = await person();
    const result = await runAdminCommand(
      { prisma: t.db.prisma, engines, notices: deps() },
      { type: 'token.create', email: user.email, name: 'ci runner', scopes: ['read', 'submit'], expiresIn: '30d', allow: ['203.0.113.0/24'] },
    );
    const mail = await mailTo(user.email);
    expect(mail.subject).toContain('A new API token was created');
    expect(mail.text).toContain('Name: ci runner');
    expect(mail.text).toContain(`Starts with: ${result.token!.slice(0, 12)}…`);
    expect(mail.text).toContain('Scopes: read, submit');
    expect(mail.text).toMatch(/Expires: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(mail.text).toContain('Usable from: 203.0.113.0/24');
    expect(mail.text).toContain('by an operator');
    expect(mail.text).toContain('If this was not you, revoke the token');
    expect(mail.links).toContain('http://sluice.test/dashboard');
    expect(mail.raw).not.toContain(result.token!);
    expect(mail.raw).not.toContain(result.token!.slice(12));
  });

  it('is mailed for a token made on the dashboard, with the address it came from', async () => {
    const { user } = await person();
    const created = await createApiToken(t.db.prisma, { userId: user.id, name: 'grafana', scopes: ['stream'] });
    await notifyTokenCreated(deps(), { userId: user.id, token: created, source: { kind: 'dashboard', address: '203.0.113.9' } });
    const mail = await mailTo(user.email);
    expect(mail.text).toContain('on the dashboard, from 203.0.113.9');
    expect(mail.text).toContain('Expires: never');
    expect(mail.text).toContain('Usable from: any address');
    expect(mail.raw).not.toContain(created.token.slice(12));
  });
});
