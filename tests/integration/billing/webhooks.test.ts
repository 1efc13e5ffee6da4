// Stripe billing end to end in-process: Checkout and the Portal against the local stand-in, and
// POST /api/billing/webhook (the real route handler) with events signed by the stripe SDK's
// test-header helper. Bad signatures change nothing; duplicates have one effect; order does not
// matter because the state is re-read from Stripe.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as webhook } from '@/app/api/billing/webhook/route';
import { GET as tokenCheck } from '@/app/api/account/token/route';
import { createUser } from '@/lib/accounts/create-user';
import { createCheckoutSession, createPortalSession } from '@/lib/billing/create-checkout-session';
import { getBilling, type StripeBilling } from '@/lib/billing/stripe-client';
import { toggleFirehose } from '@/lib/billing/toggle-firehose';
import { parseConfig } from '@/lib/config';
import { subscribeControl, type ControlMessage } from '@/lib/control';
import { createLogger } from '@/lib/logger';
import { setRuntime } from '@/lib/runtime';
import { createApiToken } from '@/lib/tokens';
import { startStripeStandIn, type StripeStandIn } from '../../helpers/stripe-stand-in';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let stripe: StripeStandIn;
let billing: StripeBilling;
const heard: ControlMessage[] = [];
let unsubscribe: () => Promise<void>;

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  stripe = await startStripeStandIn();
  stripe.webhookHandler = webhook;
  const config = parseConfig({ ...process.env, ...t.env, ...stripe.env, NEXTAUTH_URL: 'http://sluice.test' });
  const b = getBilling(config);
  if (b.mode !== 'stripe') throw new Error('expected Stripe mode');
  billing = b;
  setRuntime({ config, roles: ['web'], db: t.db, engines, logger: createLogger('silent'), startedAt: new Date(), version: 'test' });
  unsubscribe = await subscribeControl(engines, (m) => heard.push(m));
});
afterAll(async () => {
  setRuntime(undefined);
  await unsubscribe();
  await stripe.close();
  await deleteRedisPrefix(engines);
  await engines.close();
  await t.drop();
});

const deps = () => ({ prisma: t.db.prisma, engines });
let n = 0;
async function newCustomer() {
  const user = await createUser(t.db.prisma, { email: `buyer${++n}@example.com`, password: 'paying customer phrase' });
  await createCheckoutSession(t.db.prisma, billing, { userId: user.id, baseUrl: 'http://sluice.test' });
  const { stripeCustomerId } = await t.db.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
  return { userId: user.id, customer: stripeCustomerId! };
}
const planOf = async (userId: string) => (await t.db.prisma.user.findUniqueOrThrow({ where: { id: userId } })).plan;
const eventCount = () => t.db.prisma.stripeEvent.count();

beforeEach(() => {
  heard.length = 0;
});

describe('the Firehose switch in Stripe mode', () => {
  it('opens Checkout in subscription mode for a Free user, reusing one Stripe customer', async () => {
    const user = await createUser(t.db.prisma, { email: 'switch@example.com', password: 'turn it on please' });
    const first = await toggleFirehose(deps(), billing, { userId: user.id, enable: true, baseUrl: 'http://sluice.test' });
    const second = await toggleFirehose(deps(), billing, { userId: user.id, enable: true, baseUrl: 'http://sluice.test' });
    expect(first.kind).toBe('redirect');
    expect((first as { url: string }).url).toMatch(new RegExp(`^${stripe.apiBase}/pay/cs_`));
    expect((second as { url: string }).url).not.toBe((first as { url: string }).url);
    const customers = [...stripe.customers.values()].filter((c) => c.email === 'switch@example.com');
    expect(customers).toHaveLength(1);
    expect(customers[0].metadata.userId).toBe(user.id);
    expect(stripe.requests.find((r) => r.path === '/v1/customers')?.idempotencyKey).toBe(`sluice-customer-${user.id}`);
    // The plan does not change until Stripe says so.
    expect(await planOf(user.id)).toBe('free');
  });

  it('opens the Customer Portal to manage or cancel', async () => {
    const { userId } = await newCustomer();
    const portal = await createPortalSession(t.db.prisma, billing, { userId, baseUrl: 'http://sluice.test' });
    expect(portal.url).toMatch(new RegExp(`^${stripe.apiBase}/portal/bps_`));
  });
});

describe('POST /api/billing/webhook', () => {
  it('refuses a bad signature with 400 and changes nothing', async () => {
    const { userId, customer } = await newCustomer();
    const subscription = stripe.createSubscription(customer);
    const event = stripe.event('customer.subscription.created', subscription);
    const before = await eventCount();
    const forged = await stripe.deliver(event, { signature: `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}` });
    expect(forged.status).toBe(400);
    expect((await forged.json()).error.code).toBe('invalid_signature');
    // A correctly signed header for a different body is just as bad.
    const tampered = await stripe.deliver(JSON.stringify({ ...event, id: 'evt_tampered' }), {
      signature: new (await import('stripe')).default('sk_x').webhooks.generateTestHeaderString({ payload: JSON.stringify(event), secret: stripe.webhookSecret }),
    });
    expect(tampered.status).toBe(400);
    const unsigned = await webhook(new Request('http://x/api/billing/webhook', { method: 'POST', body: JSON.stringify(event) }));
    expect(unsigned.status).toBe(400);
    expect(await planOf(userId)).toBe('free');
    expect(await eventCount()).toBe(before);
  });

  it('answers 400 to a correctly signed body that is not an event object, and records nothing', async () => {
    const before = await eventCount();
    for (const body of ['[]', 'null', '{}', '{"id":"evt_x","type":"checkout.session.completed","data":null}', '{"id":123,"type":"invoice.payment_failed","data":{"object":{}}}', '{"type":"invoice.payment_failed","data":{"object":{"customer":"cus_x"}}}']) {
      const res = await stripe.deliver(body);
      expect(res.status, body).toBe(400);
      expect((await res.json()).error.code, body).toBe('invalid_event');
    }
    expect(await eventCount()).toBe(before);
  });

  it('subscribing enables the token the user already has; checkout completion links the customer', async () => {
    const { userId, customer } = await newCustomer();
    const { token } = await createApiToken(t.db.prisma, { userId, name: 'existing', scopes: ['stream'] });
    const check = async () => (await tokenCheck(new Request('http://x/api/account/token?action=stream', { headers: { authorization: `Bearer ${token}` } }))).status;
    expect(await check()).toBe(403);
    const subscription = stripe.createSubscription(customer, { metadata: { userId } });
    const res = await stripe.deliver(stripe.event('checkout.session.completed', { id: 'cs_1', object: 'checkout.session', customer, client_reference_id: userId, subscription: subscription.id }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, status: 'processed' });
    expect(await planOf(userId)).toBe('firehose');
    expect(await check()).toBe(200);
    expect(await t.db.prisma.subscription.findUniqueOrThrow({ where: { userId } })).toMatchObject({
      provider: 'stripe',
      stripeSubscriptionId: subscription.id,
      status: 'active',
      priceId: stripe.priceId,
    });
    await expect.poll(() => heard.filter((m) => m.type === 'plan_changed' && m.userId === userId)).toEqual([{ type: 'plan_changed', userId, plan: 'firehose' }]);
  });

  it('processes the same event twice with one effect', async () => {
    const { userId, customer } = await newCustomer();
    const subscription = stripe.createSubscription(customer);
    const event = stripe.event('customer.subscription.created', subscription);
    const before = await eventCount();
    const [a, b] = await Promise.all([stripe.deliver(event), stripe.deliver(event)]);
    const third = await stripe.deliver(event);
    const statuses = [(await a.json()).status, (await b.json()).status, (await third.json()).status].sort();
    expect(statuses).toEqual(['duplicate', 'duplicate', 'processed']);
    expect(await eventCount()).toBe(before + 1);
    expect(await planOf(userId)).toBe('firehose');
    await new Promise((r) => setTimeout(r, 100));
    expect(heard.filter((m) => m.type === 'plan_changed' && m.userId === userId)).toHaveLength(1);
  });

  it('ends on the right plan when subscription.deleted arrives before subscription.updated', async () => {
    const { userId, customer } = await newCustomer();
    const subscription = stripe.createSubscription(customer);
    await stripe.deliver(stripe.event('customer.subscription.created', subscription));
    expect(await planOf(userId)).toBe('firehose');
    // Stripe: an update (cancel at period end) then the deletion. Delivered in reverse order.
    subscription.cancel_at_period_end = true;
    const updated = stripe.event('customer.subscription.updated', subscription);
    stripe.setStatus(subscription.id, 'canceled');
    const deleted = stripe.event('customer.subscription.deleted', subscription);
    expect((await stripe.deliver(deleted)).status).toBe(200);
    expect(await planOf(userId)).toBe('free');
    // The late "updated" event still carries status active, but Stripe now says canceled.
    expect((updated as unknown as { data: { object: { status: string } } }).data.object.status).toBe('active');
    expect((await stripe.deliver(updated)).status).toBe(200);
    expect(await planOf(userId)).toBe('free');
  });

  it('ends on the right plan when created arrives after a later update (re-subscribe)', async () => {
    const { userId, customer } = await newCustomer();
    const old = stripe.createSubscription(customer, { status: 'canceled' });
    const current = stripe.createSubscription(customer);
    // The newer subscription's event first, the old one's cancellation later: still Firehose.
    await stripe.deliver(stripe.event('customer.subscription.created', current));
    await stripe.deliver(stripe.event('customer.subscription.deleted', old));
    expect(await planOf(userId)).toBe('firehose');
    expect((await t.db.prisma.subscription.findUniqueOrThrow({ where: { userId } })).stripeSubscriptionId).toBe(current.id);
  });

  it('keeps streaming while a failed payment is retried (past_due) and ends it when Stripe gives up', async () => {
    const { userId, customer } = await newCustomer();
    const subscription = stripe.createSubscription(customer);
    await stripe.deliver(stripe.event('customer.subscription.created', subscription));
    stripe.setStatus(subscription.id, 'past_due');
    const failed = await stripe.deliver(stripe.event('invoice.payment_failed', { id: 'in_1', object: 'invoice', customer, status: 'open' }));
    expect(failed.status).toBe(200);
    expect(await planOf(userId)).toBe('firehose');
    expect((await t.db.prisma.subscription.findUniqueOrThrow({ where: { userId } })).status).toBe('past_due');
    stripe.setStatus(subscription.id, 'unpaid');
    await stripe.deliver(stripe.event('invoice.payment_failed', { id: 'in_2', object: 'invoice', customer, status: 'open' }));
    expect(await planOf(userId)).toBe('free');
  });

  it('records but ignores event types it does not handle, and events for unknown customers', async () => {
    const ignored = await stripe.deliver(stripe.event('customer.created', { id: 'cus_x', object: 'customer' }));
    expect(await ignored.json()).toEqual({ received: true, status: 'ignored' });
    const stranger = await stripe.deliver(stripe.event('customer.subscription.created', stripe.createSubscription('cus_nobody')));
    expect(await stranger.json()).toEqual({ received: true, status: 'processed' });
  });

  it('fails with 500 and records nothing when Stripe cannot be reached, so the retry applies it', async () => {
    const { userId, customer } = await newCustomer();
    const subscription = stripe.createSubscription(customer);
    const event = stripe.event('customer.subscription.created', subscription);
    const realList = billing.stripe.subscriptions.list;
    billing.stripe.subscriptions.list = (() => Promise.reject(new Error('connection reset'))) as typeof realList;
    try {
      expect((await stripe.deliver(event)).status).toBe(500);
    } finally {
      billing.stripe.subscriptions.list = realList;
    }
    expect(await t.db.prisma.stripeEvent.count({ where: { id: event.id } })).toBe(0);
    expect((await stripe.deliver(event)).status).toBe(200);
    expect(await planOf(userId)).toBe('firehose');
  });
});
