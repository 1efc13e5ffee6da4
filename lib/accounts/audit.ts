// The audit log of security-relevant actions on accounts (issue #17): sign-ins and failed sign-ins,
// sign-out everywhere, password and two-factor changes, email verification, API tokens, plan changes
// and every operator action, from the web and the CLI. Operators read it on /admin/users/[id]; each
// user reads their own on /settings.
//
// One writer, two ways to call it:
// - recordAudit: after the action, outside its transaction. A failed write is logged and swallowed:
//   the audit log must not turn a sign-in or a revocation that happened into an error.
// - auditInTransaction: inside the action's transaction where the record matters as much as the
//   change (plan changes, suspension): both commit or neither does.
// Rows are bounded (user agent, details) and kept AUDIT_RETENTION_DAYS, pruned now and then as rows
// are written; they go with the account they are about (personal data).
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export const AUDIT_ACTIONS = [
  'sign_in',
  'sign_in_failed',
  'sign_out_everywhere',
  'password_changed',
  'password_reset',
  'two_factor_enabled',
  'two_factor_disabled',
  'email_verified',
  'token_created',
  'token_revoked',
  'plan_changed',
  'sessions_ended',
  'suspended',
  'unsuspended',
  'user_created',
  'user_deleted',
  'deletion_scheduled',
  'deletion_cancelled',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** How long rows are kept. */
export const AUDIT_RETENTION_DAYS = 180;
const MAX_USER_AGENT = 256;
const MAX_DETAILS_JSON = 2_000;
/** One write in this many also deletes expired rows (a bounded delete, on the `at` index). */
const PRUNE_ONE_IN = 200;

/** Where the action came from: the web (a signed-in person), the CLI, Stripe, or the system. */
export type AuditSource = 'web' | 'cli' | 'stripe' | 'system';

export interface AuditContext {
  /** Who did it: the user themselves, an operator, or null (the CLI, Stripe, an unknown stranger). */
  actorUserId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  source?: AuditSource;
}

export interface AuditEventInput extends AuditContext {
  action: AuditAction;
  /** The account it is about (null once that account is deleted). */
  subjectUserId: string | null;
  details?: Record<string, unknown>;
}

function boundedDetails(details: Record<string, unknown> | undefined, source: AuditSource | undefined): object {
  const value = { ...(details ?? {}), ...(source ? { source } : {}) };
  const json = JSON.stringify(value);
  if (json.length <= MAX_DETAILS_JSON) return value;
  return { truncated: true, source, preview: json.slice(0, MAX_DETAILS_JSON - 100) };
}

function rowFor(event: AuditEventInput) {
  return {
    action: event.action,
    subjectUserId: event.subjectUserId,
    actorUserId: event.actorUserId ?? null,
    ip: event.ip ? event.ip.slice(0, 64) : null,
    userAgent: event.userAgent ? event.userAgent.slice(0, MAX_USER_AGENT) : null,
    details: boundedDetails(event.details, event.source),
  };
}

export async function auditInTransaction(tx: Tx | PrismaClient, event: AuditEventInput): Promise<void> {
  await tx.auditEvent.create({ data: rowFor(event) });
}

/** Records an event; never throws (a failure is logged). */
export async function recordAudit(prisma: PrismaClient, event: AuditEventInput, logger?: Pick<Logger, 'warn'>): Promise<void> {
  try {
    await prisma.auditEvent.create({ data: rowFor(event) });
    if (Math.random() < 1 / PRUNE_ONE_IN) await pruneAuditEvents(prisma);
  } catch (error) {
    logger?.warn({ err: error, action: event.action, subjectUserId: event.subjectUserId }, 'audit event not recorded');
  }
}

/** Deletes rows older than the retention period (at most `limit` per call); returns how many. */
export async function pruneAuditEvents(prisma: PrismaClient, now = Date.now(), limit = 10_000): Promise<number> {
  const cutoff = new Date(now - AUDIT_RETENTION_DAYS * 86_400_000);
  return prisma.$executeRaw`DELETE FROM audit_events WHERE id IN (SELECT id FROM audit_events WHERE at < ${cutoff} ORDER BY at LIMIT ${limit})`;
}

export interface AuditEventView {
  id: string;
  at: Date;
  action: string;
  actorUserId: string | null;
  actorEmail: string | null;
  subjectUserId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

/** The latest events about one account, newest first (at most 200). */
export async function listAuditEvents(prisma: PrismaClient, subjectUserId: string, limit = 50): Promise<AuditEventView[]> {
  const rows = await prisma.auditEvent.findMany({
    where: { subjectUserId },
    orderBy: [{ at: 'desc' }, { id: 'desc' }],
    take: Math.max(1, Math.min(200, Math.floor(limit) || 50)),
    select: { id: true, at: true, action: true, actorUserId: true, subjectUserId: true, ip: true, userAgent: true, details: true, actor: { select: { email: true } } },
  });
  return rows.map(({ actor, id, details, ...row }) => ({
    ...row,
    id: id.toString(),
    actorEmail: actor?.email ?? null,
    details: details && typeof details === 'object' && !Array.isArray(details) ? (details as Record<string, unknown>) : {},
  }));
}

const LABELS: Record<AuditAction, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Failed sign-in',
  sign_out_everywhere: 'Signed out everywhere',
  password_changed: 'Password changed',
  password_reset: 'Password reset by email link',
  two_factor_enabled: 'Two-factor sign-in turned on',
  two_factor_disabled: 'Two-factor sign-in turned off',
  email_verified: 'Email address verified',
  token_created: 'API token created',
  token_revoked: 'API token revoked',
  plan_changed: 'Plan changed',
  sessions_ended: 'All sessions ended by an operator',
  suspended: 'Account suspended',
  unsuspended: 'Account suspension lifted',
  user_created: 'Account created',
  user_deleted: 'Account deleted',
  deletion_scheduled: 'Account deletion scheduled',
  deletion_cancelled: 'Account deletion cancelled',
};

/** A readable label for an action ("API token revoked"); unknown actions as they are. */
export function auditLabel(action: string): string {
  return (LABELS as Record<string, string>)[action] ?? action;
}

/** A one-line summary of the details a person cares about ("slc_AbCd1234…", "free → firehose"). */
export function auditSummary(event: Pick<AuditEventView, 'details'>): string {
  const d = event.details;
  const parts: string[] = [];
  if (typeof d.prefix === 'string') parts.push(`${d.prefix}…`);
  if (typeof d.name === 'string') parts.push(`“${d.name.slice(0, 100)}”`);
  if (typeof d.from === 'string' && typeof d.to === 'string') parts.push(`${d.from} → ${d.to}`);
  if (typeof d.reason === 'string') parts.push(d.reason.slice(0, 200));
  if (typeof d.source === 'string' && d.source !== 'web') parts.push(`via ${d.source === 'cli' ? 'the CLI' : d.source === 'stripe' ? 'Stripe' : d.source}`);
  return parts.join(' · ');
}
