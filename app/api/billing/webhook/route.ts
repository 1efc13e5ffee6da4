// Stripe webhooks. The signature is verified on the raw body; a bad one changes nothing (400).
// Handling is idempotent by event id and re-reads the subscription from Stripe (lib/billing).
import { NextResponse } from 'next/server';
import { checkStripeEvent, handleStripeEvent } from '@/lib/billing/handle-stripe-event';
import { getBilling } from '@/lib/billing/stripe-client';
import { BODY_LIMITS } from '@/lib/http/body-limits';
import { readBodyWithLimit } from '@/lib/http/read-body';
import { getRuntime } from '@/lib/runtime';
import { errorResponse, jsonError } from '../../_lib/respond';

const WEBHOOK_MAX_BODY = BODY_LIMITS.default;

export async function POST(req: Request) {
  const runtime = getRuntime();
  const billing = getBilling(runtime.config);
  if (billing.mode !== 'stripe') return jsonError(404, 'billing_disabled', 'billing is disabled on this instance (no Stripe keys)');
  let body: Buffer;
  try {
    // Bounded like every body (server/http.ts also refuses more than this before Next reads it).
    body = Buffer.from(await readBodyWithLimit(req.body, req.headers.get('content-length'), WEBHOOK_MAX_BODY));
  } catch (error) {
    return errorResponse(error, req);
  }
  const signature = req.headers.get('stripe-signature');
  let event;
  try {
    if (!signature) throw new Error('no Stripe-Signature header');
    event = billing.stripe.webhooks.constructEvent(body, signature, billing.webhookSecret);
  } catch (error) {
    runtime.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'stripe webhook: bad signature');
    return jsonError(400, 'invalid_signature', 'the Stripe signature does not match this body');
  }
  const checked = checkStripeEvent(event);
  if (!checked.ok) {
    runtime.logger.warn({ problem: checked.problem }, 'stripe webhook: a signed body that is not an event');
    return jsonError(400, 'invalid_event', `the body is not a Stripe event (${checked.problem})`);
  }
  try {
    const result = await handleStripeEvent({ prisma: runtime.db.prisma, engines: runtime.engines }, billing, checked.event);
    runtime.logger.info(
      { eventId: event.id, type: event.type, status: result.status, ...(result.status === 'processed' && result.sync ? { userId: result.sync.userId, plan: result.sync.plan, subscription: result.sync.status } : {}) },
      'stripe webhook',
    );
    return NextResponse.json({ received: true, status: result.status });
  } catch (error) {
    // Not recorded: Stripe retries, and the retry re-reads the state.
    return errorResponse(error, req);
  }
}
