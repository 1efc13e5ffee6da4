// Suspending an account (an operator's decision, reversible): in one transaction the account is
// marked suspended, its session version is bumped and its session records deleted (every device is
// signed out at once), a user_suspended announcement is recorded (lib/control: live streams of all
// its tokens end on every node) and the audit event is written. While suspended, sign-in is refused
// (lib/accounts/verify-credentials.ts) and its tokens are refused on REST, TAXII, exports and both
// stream transports (verifyApiToken; the gateways' periodic re-check is the backstop). Its tokens are
// not revoked: lifting the suspension lets them work again. Sightings it already published stay
// (retracting them is `sluice admin user retract`); it cannot submit new ones.
import { announceInTransaction, deliverControl } from '../control';
import { AppError } from '../errors';
import { auditInTransaction, type AuditContext } from './audit';
import type { AccountDeps } from './types';

export async function suspendUser(
  deps: AccountDeps,
  input: { userId: string; reason?: string | null },
  context: AuditContext,
): Promise<{ email: string; changed: boolean }> {
  const result = await deps.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true, suspendedAt: true } });
    if (!user) throw new AppError('user_not_found', 'no such user', 404);
    if (user.suspendedAt) return { email: user.email, changed: false };
    await tx.user.update({ where: { id: input.userId }, data: { suspendedAt: new Date(), sessionVersion: { increment: 1 } } });
    await tx.userSession.deleteMany({ where: { userId: input.userId } });
    await announceInTransaction(tx, { type: 'user_suspended', userId: input.userId });
    const reason = input.reason?.trim().slice(0, 500);
    await auditInTransaction(tx, { ...context, action: 'suspended', subjectUserId: input.userId, details: reason ? { reason } : {} });
    return { email: user.email, changed: true };
  });
  if (result.changed) await deliverControl(deps);
  return result;
}

export async function unsuspendUser(deps: AccountDeps, input: { userId: string }, context: AuditContext): Promise<{ email: string; changed: boolean }> {
  return deps.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true, suspendedAt: true } });
    if (!user) throw new AppError('user_not_found', 'no such user', 404);
    if (!user.suspendedAt) return { email: user.email, changed: false };
    await tx.user.update({ where: { id: input.userId }, data: { suspendedAt: null } });
    await auditInTransaction(tx, { ...context, action: 'unsuspended', subjectUserId: input.userId });
    return { email: user.email, changed: true };
  });
}

/** An operator ends every session of the user (without suspending): they must sign in again. */
export async function endUserSessions(deps: AccountDeps, input: { userId: string }, context: AuditContext): Promise<{ email: string; ended: number }> {
  return deps.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { email: true } });
    if (!user) throw new AppError('user_not_found', 'no such user', 404);
    await tx.user.update({ where: { id: input.userId }, data: { sessionVersion: { increment: 1 } } });
    const { count } = await tx.userSession.deleteMany({ where: { userId: input.userId } });
    await auditInTransaction(tx, { ...context, action: 'sessions_ended', subjectUserId: input.userId, details: { sessions: count } });
    return { email: user.email, ended: count };
  });
}
