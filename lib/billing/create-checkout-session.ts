// Stripe Checkout (subscription mode) for the Firehose plan, and the Customer Portal to manage it.
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { StripeBilling } from './stripe-client';

/** The user's Stripe customer, created once (an idempotency key guards double clicks). */
export async function ensureStripeCustomer(prisma: PrismaClient, billing: StripeBilling, userId: string): Promise<string> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, stripeCustomerId: true } });
  if (!user) throw new AppError('not_found', 'no such user', 404);
  if (user.stripeCustomerId) return user.stripeCustomerId;
  const customer = await billing.stripe.customers.create(
    { email: user.email, metadata: { userId } },
    { idempotencyKey: `sluice-customer-${userId}` },
  );
  await prisma.user.updateMany({ where: { id: userId, stripeCustomerId: null }, data: { stripeCustomerId: customer.id } });
  const saved = await prisma.user.findUnique({ where: { id: userId }, select: { stripeCustomerId: true } });
  return saved?.stripeCustomerId ?? customer.id;
}

export async function createCheckoutSession(
  prisma: PrismaClient,
  billing: StripeBilling,
  input: { userId: string; baseUrl: string },
): Promise<{ url: string }> {
  const customer = await ensureStripeCustomer(prisma, billing, input.userId);
  const session = await billing.stripe.checkout.sessions.create({
    mode: 'subscription',
    customer,
    client_reference_id: input.userId,
    line_items: [{ price: billing.priceId, quantity: 1 }],
    metadata: { userId: input.userId },
    subscription_data: { metadata: { userId: input.userId } },
    success_url: `${input.baseUrl}/dashboard?checkout=success`,
    cancel_url: `${input.baseUrl}/dashboard?checkout=cancelled`,
  });
  if (!session.url) throw new AppError('billing_unavailable', 'Stripe did not return a checkout page', 502);
  return { url: session.url };
}

export async function createPortalSession(
  prisma: PrismaClient,
  billing: StripeBilling,
  input: { userId: string; baseUrl: string },
): Promise<{ url: string }> {
  const customer = await ensureStripeCustomer(prisma, billing, input.userId);
  const session = await billing.stripe.billingPortal.sessions.create({ customer, return_url: `${input.baseUrl}/dashboard` });
  return { url: session.url };
}
