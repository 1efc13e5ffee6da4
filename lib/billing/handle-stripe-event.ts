// Stripe webhooks: verified by the route, idempotent by event id (recorded in the same transaction
// as the effect), and order-independent (the event only names the customer; the state is re-read).
import type Stripe from 'stripe';
import { z } from 'zod';
import { isUniqueViolation } from '../accounts/create-user';
import type { AccountDeps } from '../accounts/types';
import { deliverControl } from '../control';
import type { StripeBilling } from './stripe-client';
import { syncStripeCustomer, type SyncResult } from './sync-stripe-customer';

export const HANDLED_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.payment_failed',
] as const;

export type HandleResult =
  | { status: 'duplicate' }
  | { status: 'ignored'; reason: string }
  | { status: 'processed'; sync: SyncResult | null };

/**
 * The part of an event's shape this module reads, checked before anything else: a correctly signed
 * body that is not an event object (`[]`, `{}`, a `data` of null) is the sender's mistake (400),
 * not a reason to fail (Stripe would retry a 5xx for days).
 */
const eventShape = z.looseObject({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  data: z.looseObject({
    object: z.looseObject({
      customer: z.union([z.string().max(255), z.looseObject({ id: z.string().max(255) }), z.null()]).optional(),
      client_reference_id: z.string().max(255).nullable().optional(),
      metadata: z.record(z.string(), z.unknown()).nullable().optional(),
    }),
  }),
});

/** The verified body as an event, or why it is not one. */
export function checkStripeEvent(event: unknown): { ok: true; event: Stripe.Event } | { ok: false; problem: string } {
  const parsed = eventShape.safeParse(event);
  if (parsed.success) return { ok: true, event: event as Stripe.Event };
  const issue = parsed.error.issues[0];
  return { ok: false, problem: `${issue.path.join('.') || 'event'}: ${issue.message}` };
}

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  typeof value === 'string' ? value : (value?.id ?? null);

/** Which customer an event concerns, and a user id hint when the customer is not linked yet. */
function customerOf(event: Stripe.Event): { customerId: string | null; userIdHint: string | null } {
  switch (event.type) {
    case 'checkout.session.completed': {
      const session = event.data.object;
      return { customerId: idOf(session.customer), userIdHint: session.client_reference_id ?? session.metadata?.userId ?? null };
    }
    case 'customer.subscription.created':
    case 'customer.subscription.updated':
    case 'customer.subscription.deleted': {
      const subscription = event.data.object;
      return { customerId: idOf(subscription.customer), userIdHint: subscription.metadata?.userId ?? null };
    }
    case 'invoice.payment_failed':
      return { customerId: idOf(event.data.object.customer), userIdHint: null };
    default:
      return { customerId: null, userIdHint: null };
  }
}

export async function handleStripeEvent(deps: AccountDeps, billing: StripeBilling, event: Stripe.Event): Promise<HandleResult> {
  const { customerId, userIdHint } = customerOf(event);
  let result: HandleResult;
  try {
    result = await deps.prisma.$transaction(
      async (tx) => {
        await tx.stripeEvent.create({ data: { id: event.id, type: event.type } });
        if (!(HANDLED_EVENTS as readonly string[]).includes(event.type)) return { status: 'ignored', reason: `unhandled type ${event.type}` } as const;
        if (!customerId) return { status: 'ignored', reason: 'event names no customer' } as const;
        return { status: 'processed', sync: await syncStripeCustomer(tx, billing, { customerId, userIdHint }) } as const;
      },
      { maxWait: 10_000, timeout: 30_000 },
    );
  } catch (error) {
    if (isUniqueViolation(error)) return { status: 'duplicate' };
    throw error; // nothing was recorded: Stripe retries the delivery
  }
  // The plan change and its announcement committed together with the event id (writePlan): publish
  // now; if Redis is down, the control relay publishes it when Redis returns.
  if (result.status === 'processed' && result.sync && result.sync.previous !== result.sync.plan) await deliverControl(deps);
  return result;
}
