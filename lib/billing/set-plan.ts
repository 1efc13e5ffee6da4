// Plan changes, in one place: the user's plan is written and its announcement recorded in the same
// transaction (lib/control), so live streams of a user who lost streaming end on every node even
// when Redis is down at that moment.
import { auditInTransaction, type AuditContext } from '../accounts/audit';
import type { AccountDeps } from '../accounts/types';
import { announceInTransaction, deliverControl } from '../control';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { PlanId } from '../plans';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Writes a user's new plan inside `tx` and, when it differs from `previous`, records plan_changed.
 * Every plan change goes through here (local billing, operators, Stripe webhooks); after the commit
 * the caller runs deliverControl (the fast path).
 */
export async function writePlan(tx: Tx, input: { userId: string; previous: PlanId; plan: PlanId; audit: AuditContext }): Promise<void> {
  if (input.previous === input.plan) return;
  await tx.user.update({ where: { id: input.userId }, data: { plan: input.plan } });
  await announceInTransaction(tx, { type: 'plan_changed', userId: input.userId, plan: input.plan });
  // Recorded with the change (the audit log of a plan change must not be lost while the change stays).
  await auditInTransaction(tx, { ...input.audit, action: 'plan_changed', subjectUserId: input.userId, details: { from: input.previous, to: input.plan } });
}

/**
 * Local billing and operator changes: the plan is set directly and a `local` subscription row
 * records it. Returns the previous plan. Announces plan_changed whenever the plan differs.
 */
export async function setPlan(
  deps: AccountDeps,
  input: { userId: string; plan: PlanId; provider?: 'local' | 'admin'; audit?: AuditContext },
): Promise<{ previous: PlanId; plan: PlanId }> {
  const provider = input.provider ?? 'local';
  const previous = await deps.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { plan: true } });
    if (!user) throw new AppError('not_found', 'no such user', 404);
    const audit = input.audit ?? { source: provider === 'admin' ? 'cli' : 'web', actorUserId: provider === 'local' ? input.userId : null };
    await writePlan(tx, { userId: input.userId, previous: user.plan, plan: input.plan, audit });
    const status = input.plan === 'firehose' ? 'active' : 'canceled';
    // A Stripe-backed row is Stripe's to keep: an operator override changes the plan only.
    const existing = await tx.subscription.findUnique({ where: { userId: input.userId }, select: { provider: true } });
    if (!existing || existing.provider !== 'stripe') {
      await tx.subscription.upsert({
        where: { userId: input.userId },
        create: { userId: input.userId, provider, status },
        update: { provider, status, cancelAtPeriodEnd: false, currentPeriodEnd: null },
      });
    }
    return user.plan;
  });
  if (previous !== input.plan) await deliverControl(deps);
  return { previous, plan: input.plan };
}
