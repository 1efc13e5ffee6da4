// What the dashboard's Firehose switch does: in local billing mode it sets the plan; with Stripe
// it sends the user to Checkout (to subscribe) or the Customer Portal (to manage or cancel).
import { requireVerifiedEmail } from '../accounts/email-verification';
import type { AuditContext } from '../accounts/audit';
import type { AccountDeps } from '../accounts/types';
import { AppError } from '../errors';
import { createCheckoutSession, createPortalSession } from './create-checkout-session';
import { setPlan } from './set-plan';
import type { Billing } from './stripe-client';

export type ToggleResult = { kind: 'plan'; plan: 'free' | 'firehose' } | { kind: 'redirect'; url: string };

export async function toggleFirehose(
  deps: AccountDeps,
  billing: Billing,
  input: { userId: string; enable: boolean; baseUrl: string; audit?: AuditContext },
): Promise<ToggleResult> {
  if (billing.mode === 'local') {
    const { plan } = await setPlan(deps, { userId: input.userId, plan: input.enable ? 'firehose' : 'free', provider: 'local', audit: input.audit });
    return { kind: 'plan', plan };
  }
  const user = await deps.prisma.user.findUnique({ where: { id: input.userId }, select: { plan: true } });
  if (!user) throw new AppError('not_found', 'no such user', 404);
  // Subscribing when already subscribed (or cancelling) is the portal's job: no second subscription.
  const subscribe = input.enable && user.plan === 'free';
  // Stripe checkout only for a confirmed address (receipts go there; a typo'd one cannot be reached).
  if (subscribe) await requireVerifiedEmail(deps.prisma, input.userId, 'subscribing');
  const url = subscribe
    ? (await createCheckoutSession(deps.prisma, billing, input)).url
    : (await createPortalSession(deps.prisma, billing, input)).url;
  return { kind: 'redirect', url };
}
