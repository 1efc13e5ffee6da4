// Billing mode and the Stripe client. Stripe mode needs all three of STRIPE_SECRET_KEY,
// STRIPE_WEBHOOK_SECRET and STRIPE_PRICE_ID; otherwise billing is local (the switch flips the plan).
import Stripe from 'stripe';
import type { Config } from '../config';

export type BillingConfig = Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_WEBHOOK_SECRET' | 'STRIPE_PRICE_ID' | 'STRIPE_API_BASE'>;

export interface StripeBilling {
  mode: 'stripe';
  stripe: Stripe;
  webhookSecret: string;
  priceId: string;
}
export type Billing = StripeBilling | { mode: 'local'; missing: string[] };

const clients = new Map<string, Stripe>();

export function createStripeClient(secretKey: string, apiBase?: string): Stripe {
  const key = `${secretKey}|${apiBase ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const base = apiBase ? new URL(apiBase) : null;
    client = new Stripe(secretKey, {
      maxNetworkRetries: base ? 0 : 2,
      telemetry: false,
      ...(base
        ? {
            host: base.hostname,
            port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
            protocol: base.protocol === 'https:' ? 'https' : 'http',
          }
        : {}),
    });
    clients.set(key, client);
  }
  return client;
}

export function getBilling(config: BillingConfig): Billing {
  const { STRIPE_SECRET_KEY: key, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_PRICE_ID: priceId } = config;
  if (!key || !webhookSecret || !priceId) {
    const missing = Object.entries({ STRIPE_SECRET_KEY: key, STRIPE_WEBHOOK_SECRET: webhookSecret, STRIPE_PRICE_ID: priceId })
      .filter(([, v]) => !v)
      .map(([k]) => k);
    return { mode: 'local', missing };
  }
  return { mode: 'stripe', stripe: createStripeClient(key, config.STRIPE_API_BASE), webhookSecret, priceId };
}
