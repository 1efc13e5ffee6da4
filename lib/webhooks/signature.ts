// Webhook signatures, Stripe's scheme: `Sluice-Signature: t=<unix seconds>,v1=<hex>` where the hex
// is HMAC-SHA256 keyed with the endpoint's secret (the whole `whsec_…` string, UTF-8) over
// "<t>.<raw body>". Receivers recompute it and reject old timestamps (replays).
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Sluice-Signature';

export function signPayload(secret: string, body: string, timestamp: number = Math.floor(Date.now() / 1000)): string {
  const hex = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return `t=${timestamp},v1=${hex}`;
}

/** True when `header` signs `body` with `secret` and its timestamp is within `toleranceSeconds`. */
export function verifySignature(secret: string, body: string, header: string | null | undefined, toleranceSeconds = 300, now = Date.now()): boolean {
  if (!header) return false;
  const parts = new Map<string, string[]>();
  for (const item of header.split(',')) {
    const at = item.indexOf('=');
    if (at < 1) continue;
    const key = item.slice(0, at).trim();
    parts.set(key, [...(parts.get(key) ?? []), item.slice(at + 1).trim()]);
  }
  const t = Number(parts.get('t')?.[0]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  return (parts.get('v1') ?? []).some((v) => v.length === expected.length && timingSafeEqual(Buffer.from(v), expected));
}
