// Deleting an account (`sluice admin user delete`, and the sweep that runs a deletion its owner
// scheduled: lib/accounts/account-deletion.ts): its tokens, feeds and sightings go with it, its
// live streams end (token_revoked, announced durably with the deletion), and the counters of every
// indicator it reported are recomputed in the same transaction, so nothing it alone reported stays
// public. Every row about the person goes too: sessions, sign-in addresses, single-use tokens,
// subscription, disputes (foreign keys cascade) and local outbox mail addressed to them. An account
// Stripe still bills is refused: cancel the subscription first.
import { ENTITLED_STATUSES } from '../billing/sync-stripe-customer';
import { announceInTransaction, deliverControl } from '../control';
import { AppError } from '../errors';
import { deleteSightingsAndRecount } from '../feeds/recompute-indicator-counters';
import type { AccountDeps } from './types';

export interface DeletedAccount {
  email: string;
  indicatorsRecomputed: number;
  indicatorsRemoved: number;
}

/**
 * Deletes the account. With `onlyIfDueBy`, only when its owner scheduled the deletion for that time
 * or earlier and no other transaction holds the row (FOR UPDATE SKIP LOCKED: of several sweepers on
 * several nodes exactly one deletes it; a cancellation that committed first wins): null otherwise.
 */
export async function deleteAccount(deps: AccountDeps, userId: string): Promise<DeletedAccount>;
export async function deleteAccount(deps: AccountDeps, userId: string, options: { onlyIfDueBy: Date }): Promise<DeletedAccount | null>;
export async function deleteAccount(deps: AccountDeps, userId: string, options?: { onlyIfDueBy: Date }): Promise<DeletedAccount | null> {
  const result = await deps.prisma.$transaction(
    async (tx) => {
      if (options) {
        const claimed = await tx.$queryRawUnsafe<{ id: string }[]>(
          `SELECT id::text AS id FROM users
           WHERE id = $1::uuid AND deletion_due_at IS NOT NULL AND deletion_due_at <= $2::timestamptz
           FOR UPDATE SKIP LOCKED`,
          userId,
          options.onlyIfDueBy.toISOString(),
        );
        if (!claimed.length) return null;
      }
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
      // The local outbox (no SMTP_URL) is not linked to the user by a key: it is matched by address.
      await tx.mailOutbox.deleteMany({ where: { to: user.email } });
      return { email: user.email, indicatorsRecomputed: counts.recomputed, indicatorsRemoved: counts.removed, announced: user.tokens.length > 0 };
    },
    { maxWait: 10_000, timeout: 120_000 },
  );
  if (!result) return null;
  if (result.announced) await deliverControl(deps);
  return { email: result.email, indicatorsRecomputed: result.indicatorsRecomputed, indicatorsRemoved: result.indicatorsRemoved };
}
