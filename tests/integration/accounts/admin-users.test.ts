// Operators on accounts (issue #17): the audit log is written by every action that matters (web
// helpers, operator functions and `sluice admin` commands), bounded and pruned; suspension ends
// sessions, refuses sign-in and tokens, announces user_suspended and is reversible; user search
// treats whatever an operator types as text. On the configured database and engines.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { adminRevokeToken, adminSetPlan, getAdminUserView, searchUsers, USER_SEARCH_PAGE } from '@/lib/accounts/admin-users';
import { runAdminCommand } from '@/lib/accounts/admin-commands';
import { auditInTransaction, AUDIT_RETENTION_DAYS, listAuditEvents, pruneAuditEvents, recordAudit } from '@/lib/accounts/audit';
import { createUser } from '@/lib/accounts/create-user';
import { createSessionRecord, readSession } from '@/lib/accounts/sessions';
import { endUserSessions, suspendUser, unsuspendUser } from '@/lib/accounts/suspension';
import { verifyCredentials } from '@/lib/accounts/verify-credentials';
import { setPlan, writePlan } from '@/lib/billing/set-plan';
import { subscribeControl, type ControlMessage } from '@/lib/control';
import { isAppError } from '@/lib/errors';
import { findStreamVerdicts } from '@/lib/realtime/stream-grants';
import { createApiToken, verifyApiToken } from '@/lib/tokens';
import { createAccount } from '../../helpers/fixtures';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
const heard: ControlMessage[] = [];
let unsubscribe: () => Promise<void>;
const deps = () => ({ prisma: t.db.prisma, engines });
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  unsubscribe = await subscribeControl(engines, (m) => heard.push(m));
}, 120_000);
afterAll(async () => {
  await unsubscribe?.();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop();
});

const actions = async (userId: string) => (await listAuditEvents(t.db.prisma, userId, 200)).map((e) => e.action);
const rejection = async (p: Promise<unknown>) => {
  try {
    await p;
    return null;
  } catch (error) {
    return isAppError(error) ? { code: error.code, status: error.status, message: error.message } : error;
  }
};

describe('the audit log', () => {
  it('records sign-ins and failed sign-ins of known accounts, with address and bounded user agent; nothing for unknown emails', async () => {
    const user = await createUser(t.db.prisma, { email: 'signer@example.com', password: PASSWORD });
    const d = deps();
    const ua = 'Mozilla/5.0 ' + 'x'.repeat(5000);
    await verifyCredentials(d, { email: 'signer@example.com', password: PASSWORD, ip: '198.51.100.7', userAgent: ua });
    expect(await rejection(verifyCredentials(d, { email: 'signer@example.com', password: 'wrong wrong wrong', ip: '203.0.113.9' }))).toMatchObject({ code: 'invalid_credentials' });
    // Failed sign-ins are written without delaying the answer: wait for them.
    await expect.poll(() => actions(user.id)).toEqual(['sign_in_failed', 'sign_in']);
    const before = await t.db.prisma.auditEvent.count();
    expect(await rejection(verifyCredentials(d, { email: 'nobody-here@example.com', password: 'whatever it is', ip: '203.0.113.9' }))).toMatchObject({ code: 'invalid_credentials' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.db.prisma.auditEvent.count()).toBe(before); // the unknown email left nothing
    const [failed, signedIn] = await listAuditEvents(t.db.prisma, user.id);
    expect(failed).toMatchObject({ ip: '203.0.113.9', details: { reason: 'wrong password', source: 'web' } });
    expect(signedIn).toMatchObject({ ip: '198.51.100.7', actorUserId: user.id });
    expect(signedIn.userAgent!.length).toBeLessThanOrEqual(256);
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).lastSignInAt).not.toBeNull();
  });

  it('records plan changes in the same transaction, from the web, operators, the CLI and Stripe', async () => {
    const { user } = await createAccount(t.db.prisma, { plan: 'free' });
    const operator = await createUser(t.db.prisma, { email: 'planner-op@example.com', password: PASSWORD, isAdmin: true });
    await setPlan(deps(), { userId: user.id, plan: 'firehose', provider: 'local' }); // the user's own switch (local billing)
    await adminSetPlan(deps(), { userId: user.id, plan: 'free' }, { actorUserId: operator.id, source: 'web', ip: '192.0.2.1' });
    await runAdminCommand(deps(), { type: 'user.plan', email: user.email, plan: 'firehose' });
    await t.db.prisma.$transaction((tx) => writePlan(tx, { userId: user.id, previous: 'firehose', plan: 'free', audit: { source: 'stripe' } }));
    await setPlan(deps(), { userId: user.id, plan: 'free', provider: 'local' }); // no change: no event
    const events = (await listAuditEvents(t.db.prisma, user.id)).reverse();
    expect(events.map((e) => [e.action, e.details.from, e.details.to, e.details.source, e.actorUserId])).toEqual([
      ['plan_changed', 'free', 'firehose', 'web', user.id],
      ['plan_changed', 'firehose', 'free', 'web', operator.id],
      ['plan_changed', 'free', 'firehose', 'cli', null],
      ['plan_changed', 'firehose', 'free', 'stripe', null],
    ]);
    expect(events[1].actorEmail).toBe('planner-op@example.com');

    // Same transaction: a plan change whose audit row cannot be written does not happen.
    const ghost = '00000000-0000-4000-8000-000000000000';
    await expect(
      t.db.prisma.$transaction(async (tx) => {
        await writePlan(tx, { userId: user.id, previous: 'free', plan: 'firehose', audit: { actorUserId: ghost, source: 'web' } });
      }),
    ).rejects.toThrow();
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } })).plan).toBe('free');
  });

  it('records token creation and revocation by the CLI and by an operator', async () => {
    const user = await createUser(t.db.prisma, { email: 'tokens@example.com', password: PASSWORD });
    const operator = await createUser(t.db.prisma, { email: 'token-op@example.com', password: PASSWORD, isAdmin: true });
    const created = await runAdminCommand(deps(), { type: 'token.create', email: user.email, name: 'laptop', scopes: ['read'] });
    const row = await t.db.prisma.apiToken.findFirstOrThrow({ where: { userId: user.id } });
    expect(created.token?.startsWith(row.prefix)).toBe(true);
    await runAdminCommand(deps(), { type: 'token.revoke', prefix: row.prefix });
    const second = await createApiToken(t.db.prisma, { userId: user.id, name: 'ci', scopes: ['read'] });
    await adminRevokeToken(deps(), { userId: user.id, tokenId: second.id }, { actorUserId: operator.id, source: 'web' });
    // Another user's token cannot be revoked through this user's page.
    const stranger = await createAccount(t.db.prisma);
    expect(await rejection(adminRevokeToken(deps(), { userId: user.id, tokenId: stranger.tokenId }, { actorUserId: operator.id }))).toMatchObject({ status: 404 });
    expect(await verifyApiToken(t.db.prisma, stranger.token, { address: null })).toMatchObject({ tokenId: stranger.tokenId });

    const events = (await listAuditEvents(t.db.prisma, user.id)).reverse();
    expect(events.map((e) => [e.action, e.details.prefix, e.details.source, e.actorUserId])).toEqual([
      ['token_created', row.prefix, 'cli', null],
      ['token_revoked', row.prefix, 'cli', null],
      ['token_revoked', second.prefix, 'web', operator.id],
    ]);
  });

  it('never fails the action it records, bounds details, and prunes rows past retention', async () => {
    const user = await createUser(t.db.prisma, { email: 'bounded@example.com', password: PASSWORD });
    // A subject that does not exist violates the foreign key: logged, not thrown.
    const warnings: unknown[] = [];
    await recordAudit(t.db.prisma, { action: 'sign_in', subjectUserId: '00000000-0000-4000-8000-000000000001' }, { warn: (o: unknown) => warnings.push(o) });
    expect(warnings).toHaveLength(1);

    await recordAudit(t.db.prisma, { action: 'token_created', subjectUserId: user.id, details: { name: 'n'.repeat(100_000) } });
    const [big] = await listAuditEvents(t.db.prisma, user.id);
    expect(JSON.stringify(big.details).length).toBeLessThanOrEqual(2_100);
    expect(big.details.truncated).toBe(true);

    const old = new Date(Date.now() - (AUDIT_RETENTION_DAYS + 1) * 86_400_000);
    await t.db.prisma.auditEvent.create({ data: { action: 'sign_in', subjectUserId: user.id, at: old } });
    await auditInTransaction(t.db.prisma, { action: 'sign_in', subjectUserId: user.id });
    expect(await pruneAuditEvents(t.db.prisma)).toBeGreaterThanOrEqual(1);
    const left = await t.db.prisma.auditEvent.findMany({ where: { subjectUserId: user.id }, select: { at: true } });
    expect(left).toHaveLength(2);
    expect(left.every((e) => e.at > old)).toBe(true);
  });

  it("shows an account's events to that account only, and they go with the account", async () => {
    const a = await createUser(t.db.prisma, { email: 'mine@example.com', password: PASSWORD });
    const b = await createUser(t.db.prisma, { email: 'theirs@example.com', password: PASSWORD });
    await recordAudit(t.db.prisma, { action: 'password_changed', subjectUserId: a.id, actorUserId: a.id, ip: '198.51.100.1' });
    await recordAudit(t.db.prisma, { action: 'password_changed', subjectUserId: b.id, actorUserId: b.id, ip: '198.51.100.2' });
    expect((await listAuditEvents(t.db.prisma, a.id)).map((e) => e.ip)).toEqual(['198.51.100.1']);
    await runAdminCommand(deps(), { type: 'user.delete', email: 'theirs@example.com' });
    expect(await t.db.prisma.auditEvent.count({ where: { subjectUserId: b.id } })).toBe(0);
    const deleted = await t.db.prisma.auditEvent.findFirstOrThrow({ where: { action: 'user_deleted' }, orderBy: { id: 'desc' } });
    expect(deleted).toMatchObject({ subjectUserId: null, details: { userId: b.id, source: 'cli' } });
  });
});

describe('suspension', () => {
  it('ends every session, refuses sign-in and tokens, ends streams (announced), and is reversible', async () => {
    const account = await createAccount(t.db.prisma, { scopes: ['stream', 'read'] });
    const operator = await createUser(t.db.prisma, { email: 'suspender@example.com', password: PASSWORD, isAdmin: true });
    await t.db.prisma.user.update({ where: { id: account.user.id }, data: { passwordHash: (await t.db.prisma.user.findUniqueOrThrow({ where: { id: operator.id } })).passwordHash } });
    const laptop = await createSessionRecord(t.db.prisma, { userId: account.user.id });
    const phone = await createSessionRecord(t.db.prisma, { userId: account.user.id });
    expect(await readSession(t.db.prisma, laptop)).not.toBeNull();
    expect(await findStreamVerdicts(t.db.prisma, [account.tokenId])).toEqual(new Map([[account.tokenId, null]]));
    const version = (await t.db.prisma.user.findUniqueOrThrow({ where: { id: account.user.id } })).sessionVersion;

    const result = await suspendUser(deps(), { userId: account.user.id, reason: 'abuse report #12' }, { actorUserId: operator.id, source: 'web', ip: '192.0.2.9' });
    expect(result.changed).toBe(true);
    expect(await readSession(t.db.prisma, laptop)).toBeNull();
    expect(await readSession(t.db.prisma, phone)).toBeNull();
    expect((await t.db.prisma.user.findUniqueOrThrow({ where: { id: account.user.id } })).sessionVersion).toBe(version + 1);
    expect(await rejection(verifyApiToken(t.db.prisma, account.token, { address: '192.0.2.1' }))).toMatchObject({ code: 'invalid_token', status: 401, message: expect.stringMatching(/suspended/) });
    expect(await findStreamVerdicts(t.db.prisma, [account.tokenId])).toEqual(new Map([[account.tokenId, 'token_revoked']]));
    expect(await rejection(verifyCredentials(deps(), { email: account.user.email, password: PASSWORD, ip: '192.0.2.1' }))).toMatchObject({
      code: 'account_suspended',
    });
    await expect.poll(() => heard.some((m) => m.type === 'user_suspended' && m.userId === account.user.id)).toBe(true);
    expect((await suspendUser(deps(), { userId: account.user.id }, { source: 'cli' })).changed).toBe(false);

    await unsuspendUser(deps(), { userId: account.user.id }, { actorUserId: operator.id, source: 'web' });
    expect(await verifyApiToken(t.db.prisma, account.token, { address: '192.0.2.1' })).toMatchObject({ tokenId: account.tokenId });
    expect(await verifyCredentials(deps(), { email: account.user.email, password: PASSWORD, ip: '192.0.2.1' })).toMatchObject({ id: account.user.id });

    await expect.poll(() => actions(account.user.id)).toEqual(['sign_in', 'unsuspended', 'sign_in_failed', 'suspended']);
    const suspended = (await listAuditEvents(t.db.prisma, account.user.id)).find((e) => e.action === 'suspended')!;
    expect(suspended).toMatchObject({ actorUserId: operator.id, actorEmail: 'suspender@example.com', ip: '192.0.2.9', details: { reason: 'abuse report #12' } });
  });

  it('works from the CLI: suspend, unsuspend, end sessions; unknown emails are 404', async () => {
    const user = await createUser(t.db.prisma, { email: 'cli-suspend@example.com', password: PASSWORD });
    await createSessionRecord(t.db.prisma, { userId: user.id });
    expect((await runAdminCommand(deps(), { type: 'user.suspend', email: 'cli-suspend@example.com', reason: 'spam' })).lines[0]).toMatch(/^suspended/);
    expect((await runAdminCommand(deps(), { type: 'user.suspend', email: 'cli-suspend@example.com' })).lines[0]).toMatch(/already suspended/);
    expect((await runAdminCommand(deps(), { type: 'user.unsuspend', email: 'cli-suspend@example.com' })).lines[0]).toMatch(/^lifted/);
    await createSessionRecord(t.db.prisma, { userId: user.id });
    expect((await runAdminCommand(deps(), { type: 'user.signout', email: 'cli-suspend@example.com' })).lines[0]).toMatch(/1 signed-in device\)/);
    expect(await t.db.prisma.userSession.count({ where: { userId: user.id } })).toBe(0);
    expect(await rejection(runAdminCommand(deps(), { type: 'user.suspend', email: 'nobody@example.com' }))).toMatchObject({ status: 404 });
    expect(await actions(user.id)).toEqual(['sessions_ended', 'unsuspended', 'suspended']);
    expect((await endUserSessions(deps(), { userId: user.id }, { source: 'cli' })).ended).toBe(0);
  });

  it('shows an operator the whole account', async () => {
    const account = await createAccount(t.db.prisma, { feeds: [{ slug: 'mine' }] });
    await createSessionRecord(t.db.prisma, { userId: account.user.id });
    const view = await getAdminUserView(t.db.prisma, account.user.id);
    expect(view).toMatchObject({ email: account.user.email, _count: { sessions: 1, tokens: 1, feeds: 1 } });
    expect(view!.tokens[0]).toMatchObject({ prefix: account.tokenPrefix, revokedAt: null });
    expect(await getAdminUserView(t.db.prisma, 'not-a-uuid')).toBeNull();
    expect(await getAdminUserView(t.db.prisma, '00000000-0000-4000-8000-000000000002')).toBeNull();
  });
});

describe('user search', () => {
  it('finds by email or name prefix, case-insensitively, a page at a time', async () => {
    for (let i = 0; i < USER_SEARCH_PAGE + 3; i++) {
      await t.db.prisma.user.create({ data: { email: `page-${String(i).padStart(2, '0')}@search.test`, passwordHash: '!' } });
    }
    await t.db.prisma.user.create({ data: { email: 'zed@search.test', passwordHash: '!', name: 'Alice Pagewright' } });
    const first = await searchUsers(t.db.prisma, { query: 'PAGE-' });
    expect(first.users).toHaveLength(USER_SEARCH_PAGE);
    expect(first.next).toBe(first.users.at(-1)!.email);
    const second = await searchUsers(t.db.prisma, { query: 'page-', after: first.next });
    expect(second.users.map((u) => u.email)).toEqual(['page-25@search.test', 'page-26@search.test', 'page-27@search.test']);
    expect(second.next).toBeNull();
    expect((await searchUsers(t.db.prisma, { query: 'alice' })).users.map((u) => u.email)).toEqual(['zed@search.test']);
    expect((await searchUsers(t.db.prisma, { query: 'search.test' })).users).toEqual([]); // a prefix, not a substring
  });

  it('treats whatever an operator types as text: wildcards, quotes, backslashes, huge and odd strings', async () => {
    await t.db.prisma.user.create({ data: { email: 'odd%_\\name@search.test', passwordHash: '!' } });
    expect((await searchUsers(t.db.prisma, { query: '%' })).users).toEqual([]);
    expect((await searchUsers(t.db.prisma, { query: '_' })).users).toEqual([]);
    expect((await searchUsers(t.db.prisma, { query: 'odd%_\\' })).users.map((u) => u.email)).toEqual(['odd%_\\name@search.test']);
    expect((await searchUsers(t.db.prisma, { query: 'odd__' })).users).toEqual([]);
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), fc.option(fc.string({ maxLength: 400 })), async (query, after) => {
        const result = await searchUsers(t.db.prisma, { query, after });
        expect(result.users.length).toBeLessThanOrEqual(USER_SEARCH_PAGE);
        const prefix = query.trim().slice(0, 100).toLowerCase();
        for (const u of result.users) expect(u.email.toLowerCase().startsWith(prefix) || (u.name ?? '').toLowerCase().startsWith(prefix)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
