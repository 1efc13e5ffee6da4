// The SSRF guard of outbound webhooks: only https URLs whose host resolves to public unicast
// addresses. Private, loopback, link-local, CGNAT, multicast, unspecified, reserved and the IPv6
// forms that embed an IPv4 address (mapped, NAT64, 6to4, Teredo) are refused. Checked when a webhook
// is registered AND on every delivery (DNS can change): deliveries connect through
// `guardedLookup`, so the socket goes to the address that was checked. Loopback (and plain HTTP to
// it) is allowed only with WEBHOOK_ALLOW_LOOPBACK=true, for tests.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import { AppError } from '../errors';

export interface GuardOptions {
  /** WEBHOOK_ALLOW_LOOPBACK. */
  allowLoopback: boolean;
}

export type AddressVerdict = { ok: true; loopback: boolean } | { ok: false; range: string };

/** Longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** Whether a webhook may connect to this IP address. */
export function checkAddress(address: string, options: GuardOptions): AddressVerdict {
  let ip: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    ip = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return { ok: false, range: 'invalid' };
  }
  // ::ffff:10.0.0.1 reaches 10.0.0.1: judge the IPv4 address inside.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  const range = ip.range();
  if (range === 'unicast') return { ok: true, loopback: false };
  if (range === 'loopback' && options.allowLoopback) return { ok: true, loopback: true };
  return { ok: false, range };
}

const REFUSED = 'ERR_WEBHOOK_ADDRESS_REFUSED';

function refusedError(host: string, address: string, range: string): Error {
  return Object.assign(new Error(`${host} resolves to ${address} (${range}): webhooks call public addresses only`), { code: REFUSED, address, range });
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request: resolves the host, refuses the connection unless every address
 * is allowed, and hands the socket only checked addresses.
 */
export function guardedLookup(options: GuardOptions & { loopbackOnly?: boolean }) {
  return (hostname: string, lookupOptions: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
    const family = typeof lookupOptions.family === 'number' ? lookupOptions.family : 0;
    dnsLookup(hostname, { all: true, family }, (error, addresses) => {
      if (error) return callback(error, '');
      if (!addresses.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      for (const { address } of addresses) {
        const verdict = checkAddress(address, options);
        if (!verdict.ok) return callback(refusedError(hostname, address, verdict.range), '');
        // Plain http: loopback only (WEBHOOK_ALLOW_LOOPBACK), never a public host in clear.
        if (options.loopbackOnly && !verdict.loopback) return callback(refusedError(hostname, address, 'public, over plain http'), '');
      }
      if (lookupOptions.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
}

export function isRefusedAddressError(error: unknown): error is Error & { address: string; range: string } {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === REFUSED;
}

function resolveAll(hostname: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses.map((a) => a.address))));
  });
}

/** The URL's host without IPv6 brackets. */
export function urlHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * Parses and checks a webhook URL (registration time): https (http only to loopback when allowed),
 * no credentials, a host that resolves only to allowed addresses. Throws a 400 AppError naming why.
 */
export async function assertWebhookUrl(raw: string, options: GuardOptions): Promise<URL> {
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) throw new AppError('invalid_url', `url must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`, 400, { field: 'url' });
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError('invalid_url', 'url must be an absolute URL like https://hooks.example.com/sluice', 400, { field: 'url' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new AppError('https_required', `webhook URLs must use https (got ${url.protocol.slice(0, 20)})`, 400, { field: 'url' });
  }
  if (url.username || url.password) {
    throw new AppError('invalid_url', 'url must not carry credentials (user:password@); authenticate requests with the signature', 400, { field: 'url' });
  }
  // Plain http can only ever be allowed to loopback: without that allowance, say so before any DNS.
  if (url.protocol === 'http:' && !options.allowLoopback) {
    throw new AppError('https_required', 'webhook URLs must use https', 400, { field: 'url' });
  }
  url.hash = '';
  const host = urlHost(url);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await resolveAll(host);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new AppError('url_unresolvable', `the host ${host.slice(0, 253)} does not resolve (${code}); use a public HTTPS endpoint`, 400, { field: 'url' });
    }
  }
  let loopbackOnly = true;
  for (const address of addresses) {
    const verdict = checkAddress(address, options);
    if (!verdict.ok) {
      throw new AppError(
        'url_not_allowed',
        `${host === address ? address : `${host.slice(0, 253)} resolves to ${address}, which`} is a ${verdict.range} address; webhooks call public HTTPS endpoints only`,
        400,
        { field: 'url', address, range: verdict.range },
      );
    }
    if (!verdict.loopback) loopbackOnly = false;
  }
  if (url.protocol === 'http:' && !(options.allowLoopback && loopbackOnly)) {
    throw new AppError('https_required', 'webhook URLs must use https', 400, { field: 'url' });
  }
  return url;
}
