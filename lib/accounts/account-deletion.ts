// Account deletion by its owner, with a cooling-off period (issue #17, docs/accounts.md).
//
// Scheduling (on /settings: password, and a two-factor or recovery code when 2FA is on) sets
// deletion_due_at ACCOUNT_DELETION_COOLING_OFF_DAYS ahead, mails the date and how to cancel, and
// suspends API access at once: verifyApiToken refuses the tokens, their live streams end
// (token_revoked, announced durably) and webhooks stop (lib/realtime/stream-grants). Signing in to
// the web still works, so the owner can cancel; cancelling restores the tokens as they were (they
// were suspended, not revoked) and is mailed. Like Atlassian, Discord or X: deactivated now, deleted
// later, reversible until then — a stolen session cannot delete an account outright, and an account
// that is leaving does not keep pulling data.
//
// The sweep (a periodic job on the workers, sweepDueAccountDeletions) deletes each account whose
// date has passed with deleteAccount, which recomputes the indicators it reported; FOR UPDATE SKIP
// LOCKED there makes one of several sweepers delete each account, and a cancellation that commits
// first wins.
import type { Engines } from '../engines';
import { announceInTransaction, deliverControl } from '../control';
import { ENTITLED_STATUSES } from '../billing/sync-stripe-customer';
import { AppError } from '../errors';
import { sendInBackground } from '../mail/get-mailer';
import { accountDeletedMail, deletionCancelledMail, deletionScheduledMail, type AccountMailDeps } from './account-mail';
import { auditInTransaction, recordAudit, type AuditContext } from './audit';
import { deleteAccount, type DeletedAccount } from './delete-account';
import { verifyPassword } from './password';
import { confirmIdentity } from './password-confirmation';
import { secondFactorRefusal } from './two-factor';
import { PASSWORD_MAX_LENGTH } from './validation';

const DAY_MS = 86_400_000;

export type AccountDeletionDeps = AccountMailDeps & { engines: Engines };

export const SUBSCRIPTION_ACTIVE_MESSAGE =
  'Your Firehose subscription is still active. Cancel it in the billing portal (Dashboard → Plan → Manage billing) first, then delete the account.';

export interface DeletionState {
  requestedAt: Date;
  dueAt: Date;
}

/** The pending deletion of this account, or null. */
export async function findPendingDeletion(deps: Pick<AccountMailDeps, 'prisma'>, userId: string): Promise<DeletionState | null> {
  const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { deletionRequestedAt: true, deletionDueAt: true } });
  return user?.deletionDueAt ? { requestedAt: user.deletionRequestedAt ?? user.deletionDueAt, dueAt: user.deletionDueAt } : null;
}

/**
 * Schedules the deletion of the signed-in user's account. Throws 400 wrong_password / invalid_code,
 * 429 after too many wrong attempts, 409 subscription_active while Stripe bills the account.
 * Scheduling again while one is pending keeps the first date.
 */
export async function scheduleAccountDeletion(
  deps: AccountDeletionDeps,
  input: { userId: string; password: unknown; code?: unknown; coolingOffDays: number; now?: Date; audit?: AuditContext },
): Promise<DeletionState & { delivery: Promise<void> }> {
  const user = await deps.prisma.user.findUnique({
    where: { id: input.userId },
    select: {
      id: true,
      email: true,
      passwordHash: true,
      totpSecret: true,
      totpEnabledAt: true,
      deletionRequestedAt: true,
      deletionDueAt: true,
      subscription: { select: { provider: true, status: true } },
    },
  });
  if (!user) throw new AppError('unauthenticated', 'Your session ended. Sign in again.', 401);
  if (user.subscription?.provider === 'stripe' && ENTITLED_STATUSES.has(user.subscription.status)) {
    throw new AppError('subscription_active', SUBSCRIPTION_ACTIVE_MESSAGE, 409);
  }
  // Wrong passwords and codes count under the account's confirmation limit (lib/accounts/password-confirmation.ts).
  const password = typeof input.password === 'string' ? input.password.slice(0, PASSWORD_MAX_LENGTH * 4) : '';
  await confirmIdentity(deps.engines, user.id, async () => {
    if (!(await verifyPassword(user.passwordHash, password))) return new AppError('wrong_password', 'Your password is not right.', 400, { field: 'password' });
    return secondFactorRefusal(deps.prisma, user, input.code);
  });
  if (user.deletionDueAt) {
    return { requestedAt: user.deletionRequestedAt ?? user.deletionDueAt, dueAt: user.deletionDueAt, delivery: Promise.resolve() };
  }
  const requestedAt = input.now ?? new Date();
  const dueAt = new Date(requestedAt.getTime() + input.coolingOffDays * DAY_MS);
  const announced = await deps.prisma.$transaction(async (tx) => {
    // Only if still not pending: two concurrent requests schedule once (and mail once).
    const set = await tx.user.updateMany({ where: { id: user.id, deletionDueAt: null }, data: { deletionRequestedAt: requestedAt, deletionDueAt: dueAt } });
    if (set.count !== 1) return null;
    await auditInTransaction(tx, { ...input.audit, action: 'deletion_scheduled', subjectUserId: user.id, details: { dueAt: dueAt.toISOString() } });
    const tokens = await tx.apiToken.findMany({ where: { userId: user.id, revokedAt: null }, select: { id: true } });
    for (const token of tokens) await announceInTransaction(tx, { type: 'token_revoked', tokenId: token.id, userId: user.id });
    return tokens.length;
  });
  if (announced === null) {
    const pending = await findPendingDeletion(deps, user.id);
    if (!pending) throw new AppError('conflict', 'The deletion was cancelled meanwhile. Try again.', 409);
    return { ...pending, delivery: Promise.resolve() };
  }
  if (announced > 0) await deliverControl(deps);
  const delivery = sendInBackground(deps.mail, deletionScheduledMail(user.email, deps.baseUrl, dueAt));
  return { requestedAt, dueAt, delivery };
}

/** Cancels a pending deletion: true when one was pending (and the owner is mailed), false otherwise. */
export async function cancelAccountDeletion(
  deps: AccountMailDeps,
  userId: string,
  audit?: AuditContext,
): Promise<{ cancelled: boolean; delivery: Promise<void> }> {
  const rows = await deps.prisma.$transaction(async (tx) => {
    // Waits for a sweeper holding the row; once it deleted the account nothing matches.
    const cleared = await tx.user.updateManyAndReturn({
      where: { id: userId, deletionDueAt: { not: null } },
      data: { deletionRequestedAt: null, deletionDueAt: null },
      select: { email: true },
    });
    if (cleared.length) await auditInTransaction(tx, { ...audit, action: 'deletion_cancelled', subjectUserId: userId });
    return cleared;
  });
  if (!rows.length) return { cancelled: false, delivery: Promise.resolve() };
  return { cancelled: true, delivery: sendInBackground(deps.mail, deletionCancelledMail(rows[0].email, deps.baseUrl)) };
}

export interface SweepResult {
  deleted: (DeletedAccount & { userId: string })[];
  /** Due accounts this sweep could not delete (e.g. Stripe started billing meanwhile): retried next time. */
  failed: { userId: string; code: string }[];
}

/**
 * Deletes the accounts whose cooling-off period has passed by `now`, at most `limit` per call (the
 * next tick continues). Safe to run on several nodes at once: each account is deleted once.
 */
export async function sweepDueAccountDeletions(
  deps: AccountDeletionDeps,
  { now = new Date(), limit = 50, signal }: { now?: Date; limit?: number; signal?: AbortSignal } = {},
): Promise<SweepResult> {
  const due = await deps.prisma.user.findMany({
    where: { deletionDueAt: { lte: now } },
    orderBy: { deletionDueAt: 'asc' },
    take: limit,
    select: { id: true },
  });
  const result: SweepResult = { deleted: [], failed: [] };
  for (const { id } of due) {
    if (signal?.aborted) break;
    try {
      const deleted = await deleteAccount(deps, id, { onlyIfDueBy: now });
      if (!deleted) continue; // another node has it, or the owner cancelled
      result.deleted.push({ userId: id, ...deleted });
      // Rows about the account went with it; this one keeps only the (now meaningless) id.
      await recordAudit(deps.prisma, { source: 'system', action: 'user_deleted', subjectUserId: null, details: { userId: id, reason: 'deletion requested by the owner' } });
      deps.mail.logger.info({ module: 'accounts', userId: id, indicatorsRecomputed: deleted.indicatorsRecomputed }, 'account deleted as its owner asked');
      // A last notice over SMTP only: the local outbox would keep their address, which was just erased.
      if (deps.mail.mailer.kind === 'smtp') await sendInBackground(deps.mail, accountDeletedMail(deleted.email));
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'internal';
      result.failed.push({ userId: id, code });
      deps.mail.logger.error({ module: 'accounts', userId: id, err: error }, 'a scheduled account deletion failed; retried at the next sweep');
    }
  }
  return result;
}
