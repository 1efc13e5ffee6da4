// Deleting an account (`sluice admin user delete`): its tokens, feeds and sightings go with it, its
// live streams end (token_revoked, announced durably with the deletion), and the counters of every
// indicator it reported are recomputed in the same transaction, so nothing it alone reported stays
// public. An account Stripe still bills is refused: cancel the subscription first.
import { ENTITLED_STATUSES } from '../billing/sync-stripe-customer';
import { announceInTransaction, deliverControl } from '../control';
import { AppError } from '../errors';
import { deleteSightingsAndRecount } from '../feeds/recompute-indicator-counters';
import type { AccountDeps } from './types';

export async function deleteAccount(deps: AccountDeps, userId: string): Promise<{ email: string; indicatorsRecomputed: number; indicatorsRemoved: number }> {
  const result = await deps.prisma.$transaction(
    async (tx) => {
      const user = await tx.user.findUnique({
        where: { id: userId },
        select: { email: true, subscription: { select: { provider: true, status: true } }, tokens: { where: { revokedAt: null }, select: { id: true } } },
      });
      if (!user) throw new AppError('user_not_found', 'no such user', 404);
      if (user.subscription?.provider === 'stripe' && ENTITLED_STATUSES.has(user.subscription.status)) {
        throw new AppError('subscription_active', `${user.email} has an active Stripe subscription: cancel it first (Customer Portal or Stripe dashboard)`, 409);
      }
      for (const token of user.tokens) await announceInTransaction(tx, { type: 'token_revoked', tokenId: token.id, userId });
      const counts = await deleteSightingsAndRecount(tx, { userId }, () => tx.user.delete({ where: { id: userId } }));
      return { email: user.email, indicatorsRecomputed: counts.recomputed, indicatorsRemoved: counts.removed, announced: user.tokens.length > 0 };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  if (result.announced) await deliverControl(deps);
  return { email: result.email, indicatorsRecomputed: result.indicatorsRecomputed, indicatorsRemoved: result.indicatorsRemoved };
}
