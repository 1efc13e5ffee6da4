// A small local stand-in for the parts of Stripe's API Sluice calls (customers, Checkout, the
// Customer Portal, subscriptions), plus hosted "pay" and "portal" pages that change the
// subscription and deliver webhooks signed by the stripe SDK's own test-header helper.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface StandInSubscription {
  id: string;
  object: 'subscription';
  customer: string;
  status: string;
  created: number;
  cancel_at_period_end: boolean;
  metadata: Record<string, string>;
  items: { object: 'list'; data: { id: string; object: 'subscription_item'; price: { id: string; object: 'price' }; current_period_end: number }[] };
}

export interface StripeStandIn {
  /** STRIPE_API_BASE for the server under test. */
  apiBase: string;
  priceId: string;
  secretKey: string;
  webhookSecret: string;
  /** Env for a Sluice server in Stripe mode against this stand-in. */
  env: Record<string, string>;
  /** Where webhooks go (the Sluice server's /api/billing/webhook)... */
  webhookUrl: string | null;
  /** ...or an in-process route handler (integration tests without a server). */
  webhookHandler: ((req: Request) => Promise<Response>) | null;
  customers: Map<string, { id: string; email: string; metadata: Record<string, string> }>;
  subscriptions: Map<string, StandInSubscription>;
  /** Every API request received: method, path and Idempotency-Key. */
  requests: { method: string; path: string; idempotencyKey: string | null }[];
  createSubscription(customer: string, options?: { status?: string; metadata?: Record<string, string> }): StandInSubscription;
  setStatus(id: string, status: string): StandInSubscription;
  /** Builds a Stripe event around an object (not sent). */
  event(type: string, object: object): Stripe.Event;
  /** Signs and POSTs an event (or raw text) to webhookUrl; returns the response. */
  deliver(event: Stripe.Event | string, options?: { signature?: string }): Promise<Response>;
  close(): Promise<void>;
}

const id = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

/** metadata[userId]=x → { userId: x } for one bracketed prefix. */
function nested(form: URLSearchParams, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of form) {
    const match = new RegExp(`^${prefix.replace(/[[\]]/g, '\\$&')}\\[([^\\]]+)\\]$`).exec(key);
    if (match) out[match[1]] = value;
  }
  return out;
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(body));
}

function page(res: ServerResponse, title: string, body: string) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><html><head><title>${title}</title></head><body style="font-family:sans-serif;max-width:30rem;margin:4rem auto"><h1>${title}</h1>${body}</body></html>`);
}

export async function startStripeStandIn(options: { priceId?: string } = {}): Promise<StripeStandIn> {
  const priceId = options.priceId ?? 'price_firehose_monthly';
  const secretKey = `sk_test_${randomBytes(16).toString('hex')}`;
  const webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  const signer = new Stripe(secretKey, { telemetry: false });
  const customers: StripeStandIn['customers'] = new Map();
  const subscriptions: StripeStandIn['subscriptions'] = new Map();
  const sessions = new Map<string, { id: string; customer: string; client_reference_id: string | null; success_url: string; cancel_url: string; metadata: Record<string, string>; subscription_metadata: Record<string, string> }>();
  const portals = new Map<string, { customer: string; return_url: string }>();
  const idempotent = new Map<string, unknown>();
  const requests: StripeStandIn['requests'] = [];
  let base = '';

  const standIn: StripeStandIn = {
    apiBase: '',
    priceId,
    secretKey,
    webhookSecret,
    env: {},
    webhookUrl: null,
    webhookHandler: null,
    customers,
    subscriptions,
    requests,
    createSubscription(customer, { status = 'active', metadata = {} } = {}) {
      const subscription: StandInSubscription = {
        id: id('sub'),
        object: 'subscription',
        customer,
        status,
        created: now(),
        cancel_at_period_end: false,
        metadata,
        items: { object: 'list', data: [{ id: id('si'), object: 'subscription_item', price: { id: priceId, object: 'price' }, current_period_end: now() + 30 * 86400 }] },
      };
      subscriptions.set(subscription.id, subscription);
      return subscription;
    },
    setStatus(subscriptionId, status) {
      const subscription = subscriptions.get(subscriptionId);
      if (!subscription) throw new Error(`no subscription ${subscriptionId}`);
      subscription.status = status;
      return subscription;
    },
    event(type, object) {
      return {
        id: id('evt'),
        object: 'event',
        api_version: '2026-10-28.endive',
        created: now(),
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
        data: { object: structuredClone(object) },
      } as unknown as Stripe.Event;
    },
    async deliver(event, { signature } = {}) {
      const payload = typeof event === 'string' ? event : JSON.stringify(event, null, 2);
      const header = signature ?? signer.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
      const init = { method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': header }, body: payload };
      if (standIn.webhookHandler) return standIn.webhookHandler(new Request('http://127.0.0.1/api/billing/webhook', init));
      if (!standIn.webhookUrl) throw new Error('set webhookUrl or webhookHandler first');
      return fetch(standIn.webhookUrl, init);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', base);
    const idempotencyKey = (req.headers['idempotency-key'] as string | undefined) ?? null;
    requests.push({ method: req.method ?? 'GET', path: url.pathname, idempotencyKey });
    try {
      if (url.pathname.startsWith('/v1/') && req.headers.authorization !== `Bearer ${secretKey}`) {
        return send(res, 401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided' } });
      }
      if (req.method === 'POST' && idempotencyKey && idempotent.has(`${url.pathname}|${idempotencyKey}`)) {
        return send(res, 200, idempotent.get(`${url.pathname}|${idempotencyKey}`));
      }
      const remember = (body: unknown) => {
        if (idempotencyKey) idempotent.set(`${url.pathname}|${idempotencyKey}`, body);
        return send(res, 200, body);
      };

      if (req.method === 'POST' && url.pathname === '/v1/customers') {
        const form = await readForm(req);
        const customer = { id: id('cus'), object: 'customer', email: form.get('email') ?? '', metadata: nested(form, 'metadata') };
        customers.set(customer.id, customer);
        return remember(customer);
      }
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const form = await readForm(req);
        if (form.get('mode') !== 'subscription') return send(res, 400, { error: { message: 'mode must be subscription here' } });
        if (form.get('line_items[0][price]') !== priceId) return send(res, 400, { error: { message: `No such price: ${form.get('line_items[0][price]')}` } });
        const session = {
          id: id('cs'),
          customer: form.get('customer') ?? '',
          client_reference_id: form.get('client_reference_id'),
          success_url: form.get('success_url') ?? '',
          cancel_url: form.get('cancel_url') ?? '',
          metadata: nested(form, 'metadata'),
          subscription_metadata: nested(form, 'subscription_data[metadata]'),
        };
        sessions.set(session.id, session);
        return remember({ object: 'checkout.session', mode: 'subscription', status: 'open', url: `${base}/pay/${session.id}`, ...session });
      }
      if (req.method === 'POST' && url.pathname === '/v1/billing_portal/sessions') {
        const form = await readForm(req);
        const portal = { id: id('bps'), customer: form.get('customer') ?? '', return_url: form.get('return_url') ?? '' };
        portals.set(portal.id, portal);
        return remember({ object: 'billing_portal.session', url: `${base}/portal/${portal.id}`, ...portal });
      }
      if (req.method === 'GET' && url.pathname === '/v1/subscriptions') {
        const customer = url.searchParams.get('customer');
        const data = [...subscriptions.values()].filter((s) => !customer || s.customer === customer).sort((a, b) => b.created - a.created);
        return send(res, 200, { object: 'list', url: '/v1/subscriptions', has_more: false, data });
      }
      const subMatch = /^\/v1\/subscriptions\/([\w]+)$/.exec(url.pathname);
      if (req.method === 'GET' && subMatch) {
        const subscription = subscriptions.get(subMatch[1]);
        return subscription ? send(res, 200, subscription) : send(res, 404, { error: { type: 'invalid_request_error', message: 'No such subscription' } });
      }

      // Hosted pages a browser visits: Checkout and the Customer Portal.
      const pay = /^\/pay\/(\w+)$/.exec(url.pathname);
      if (pay && sessions.has(pay[1])) {
        const session = sessions.get(pay[1])!;
        if (req.method === 'GET') {
          return page(res, 'Subscribe to Sluice Firehose', `<p>$25.00 per month</p><form method="post"><button type="submit">Subscribe</button></form><a href="${session.cancel_url}">Back</a>`);
        }
        const subscription = standIn.createSubscription(session.customer, { metadata: session.subscription_metadata });
        for (const event of [
          standIn.event('customer.subscription.created', subscription),
          standIn.event('checkout.session.completed', { id: session.id, object: 'checkout.session', mode: 'subscription', customer: session.customer, client_reference_id: session.client_reference_id, subscription: subscription.id, metadata: session.metadata }),
        ]) {
          await standIn.deliver(event).catch(() => undefined);
        }
        res.writeHead(303, { location: session.success_url });
        return res.end();
      }
      const portal = /^\/portal\/(\w+)$/.exec(url.pathname);
      if (portal && portals.has(portal[1])) {
        const session = portals.get(portal[1])!;
        const active = [...subscriptions.values()].filter((s) => s.customer === session.customer && s.status !== 'canceled');
        if (req.method === 'GET') {
          return page(res, 'Manage your subscription', `<p>${active.length} active subscription(s)</p><form method="post"><button type="submit">Cancel subscription</button></form><a href="${session.return_url}">Return to Sluice</a>`);
        }
        for (const subscription of active) {
          subscription.status = 'canceled';
          await standIn.deliver(standIn.event('customer.subscription.deleted', subscription)).catch(() => undefined);
        }
        res.writeHead(303, { location: session.return_url });
        return res.end();
      }
      send(res, 404, { error: { type: 'invalid_request_error', message: `stand-in has no ${req.method} ${url.pathname}` } });
    } catch (error) {
      send(res, 500, { error: { message: String(error) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  standIn.apiBase = base;
  standIn.env = { STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_PRICE_ID: priceId, STRIPE_API_BASE: base };
  return standIn;
}
