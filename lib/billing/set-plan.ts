// Sets a user's plan and announces it, so live streams of a user who lost streaming end at once.
import type { AccountDeps } from '../accounts/types';
import { publishControl } from '../control';
import { AppError } from '../errors';
import type { PlanId } from '../plans';

/**
 * Local billing and operator changes: the plan is set directly and a `local` subscription row
 * records it. Returns the previous plan. Publishes plan_changed whenever the plan differs.
 */
export async function setPlan(
  deps: AccountDeps,
  input: { userId: string; plan: PlanId; provider?: 'local' | 'admin' },
): Promise<{ previous: PlanId; plan: PlanId }> {
  const provider = input.provider ?? 'local';
  const previous = await deps.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { plan: true } });
    if (!user) throw new AppError('not_found', 'no such user', 404);
    await tx.user.update({ where: { id: input.userId }, data: { plan: input.plan } });
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
  if (previous !== input.plan) await publishControl(deps.engines, { type: 'plan_changed', userId: input.userId, plan: input.plan });
  return { previous, plan: input.plan };
}
