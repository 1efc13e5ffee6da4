// Order-independent billing: the plan is derived from the customer's subscriptions as Stripe has
// them now (re-read), never from the event that prompted the read.
import type Stripe from 'stripe';
import type { PlanId } from '../plans';
import { writePlan } from './set-plan';
import type { StripeBilling } from './stripe-client';

type Tx = Parameters<Parameters<import('../generated/prisma/client').PrismaClient['$transaction']>[0]>[0];

/** Stripe statuses that keep the Firehose plan. past_due keeps it while Stripe retries the card. */
export const ENTITLED_STATUSES: ReadonlySet<string> = new Set(['active', 'trialing', 'past_due']);

export interface SyncResult {
  userId: string;
  previous: PlanId;
  plan: PlanId;
  status: string;
}

function periodEnd(subscription: Stripe.Subscription): Date | null {
  // Recent API versions keep the period on the items; older ones on the subscription.
  const fromItem = subscription.items?.data?.[0]?.current_period_end;
  const legacy = (subscription as unknown as { current_period_end?: number }).current_period_end;
  const seconds = fromItem ?? legacy;
  return typeof seconds === 'number' ? new Date(seconds * 1000) : null;
}

/** Picks the subscription that decides the plan: an entitled one first, else the newest. */
export function pickSubscription(subscriptions: Stripe.Subscription[], priceId: string): Stripe.Subscription | null {
  const ours = subscriptions.filter((s) => s.items?.data?.some((item) => item.price?.id === priceId));
  const candidates = (ours.length ? ours : subscriptions).slice().sort((a, b) => b.created - a.created);
  return candidates.find((s) => ENTITLED_STATUSES.has(s.status)) ?? candidates[0] ?? null;
}

/**
 * Re-reads the customer's subscriptions from Stripe and writes the user's plan and subscription
 * row inside `tx` (a change of plan is announced through writePlan). Serialised per customer by an advisory lock so concurrent webhooks cannot
 * interleave their reads and writes. Returns null when no user matches the customer.
 */
export async function syncStripeCustomer(
  tx: Tx,
  billing: StripeBilling,
  input: { customerId: string; userIdHint?: string | null },
): Promise<SyncResult | null> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${'stripe:' + input.customerId}))`;
  let user = await tx.user.findUnique({ where: { stripeCustomerId: input.customerId }, select: { id: true, plan: true } });
  if (!user && input.userIdHint && /^[0-9a-f-]{36}$/i.test(input.userIdHint)) {
    const hinted = await tx.user.findUnique({ where: { id: input.userIdHint }, select: { id: true, plan: true, stripeCustomerId: true } });
    if (hinted && !hinted.stripeCustomerId) {
      await tx.user.update({ where: { id: hinted.id }, data: { stripeCustomerId: input.customerId } });
      user = hinted;
    }
  }
  if (!user) return null;

  const list = await billing.stripe.subscriptions.list({ customer: input.customerId, status: 'all', limit: 20 });
  const chosen = pickSubscription(list.data, billing.priceId);
  const plan: PlanId = chosen && ENTITLED_STATUSES.has(chosen.status) ? 'firehose' : 'free';
  const status = chosen?.status ?? 'none';
  const row = {
    provider: 'stripe',
    stripeSubscriptionId: chosen?.id ?? null,
    status,
    priceId: chosen?.items?.data?.[0]?.price?.id ?? null,
    currentPeriodEnd: chosen ? periodEnd(chosen) : null,
    cancelAtPeriodEnd: chosen?.cancel_at_period_end ?? false,
  };
  if (row.stripeSubscriptionId) {
    // The id is unique: detach it from any stale row (it can only belong to this customer's user).
    await tx.subscription.updateMany({
      where: { stripeSubscriptionId: row.stripeSubscriptionId, NOT: { userId: user.id } },
      data: { stripeSubscriptionId: null },
    });
  }
  await tx.subscription.upsert({ where: { userId: user.id }, create: { userId: user.id, ...row }, update: row });
  await writePlan(tx, { userId: user.id, previous: user.plan, plan, audit: { source: 'stripe' } });
  return { userId: user.id, previous: user.plan, plan, status };
}
