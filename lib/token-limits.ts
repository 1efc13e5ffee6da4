// What limits an API token beyond its scopes (docs/accounts.md): an expiry time and the source
// networks it may be used from. Parsed and checked here; enforced at every use by verifyApiToken
// (lib/tokens.ts), so the REST API, TAXII, exports and both stream transports share one rule.
import ipaddr from 'ipaddr.js';
import { normaliseAddress } from './client-address';
import { AppError } from './errors';

/** Networks one token may list. */
export const MAX_TOKEN_NETWORKS = 20;
/**
 * Active (unrevoked, unexpired) API tokens one account may hold; creating another is refused with
 * 409 too_many_tokens until one is revoked (docs/accounts.md). Each creation mails a notice, so the
 * cap also bounds that mail. Tokens with the `peer` scope (federation links, made by the operator)
 * neither count nor are refused.
 */
export const MAX_ACTIVE_TOKENS = 50;
/** The furthest ahead an expiry may be set (ten years). */
const MAX_EXPIRY_MS = 10 * 366 * 86_400_000;

type Address = ipaddr.IPv4 | ipaddr.IPv6;

function unmap(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address;
}

/** One network in canonical form ("10.0.0.0/8", "2001:db8::/32"), or null when it is not one. */
function canonicalNetwork(text: string): string | null {
  try {
    let address: Address;
    let bits: number;
    if (text.includes('/')) {
      if (!/\/\d{1,3}$/.test(text)) return null;
      [address, bits] = ipaddr.parseCIDR(text);
    } else {
      // A bare address is a network of one; only dotted-quad IPv4 (not "0x7f.1") and IPv6.
      if (!ipaddr.IPv4.isValidFourPartDecimal(text) && !(text.includes(':') && ipaddr.IPv6.isValid(text))) return null;
      address = ipaddr.parse(text);
      bits = address.kind() === 'ipv4' ? 32 : 128;
    }
    if (text.includes('/') && address.kind() === 'ipv4' && !ipaddr.IPv4.isValidFourPartDecimal(text.slice(0, text.indexOf('/')))) return null;
    // An IPv4-mapped IPv6 network (::ffff:10.0.0.0/104) is the IPv4 network it maps.
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      if (bits < 96) return null;
      address = unmap(address);
      bits -= 96;
    }
    if (address.kind() === 'ipv4') return `${ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`).toString()}/${bits}`;
    return `${ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`).toRFC5952String()}/${bits}`;
  } catch {
    return null;
  }
}

/**
 * Parses the networks a token may be used from: a comma- or whitespace-separated string or a list of
 * CIDR networks or single addresses (IPv4 and IPv6). Returns them canonical and de-duplicated;
 * empty means anywhere. Throws AppError invalid_networks (400) naming the entry that is wrong.
 */
export function parseAllowedNetworks(input: string | readonly string[] | null | undefined): string[] {
  if (input === null || input === undefined) return [];
  const items = (typeof input === 'string' ? [input] : input).flatMap((s) => s.split(/[\s,]+/)).map((s) => s.trim()).filter(Boolean);
  if (items.length > MAX_TOKEN_NETWORKS) {
    throw new AppError('invalid_networks', `a token may list at most ${MAX_TOKEN_NETWORKS} networks (got ${items.length})`);
  }
  const networks: string[] = [];
  for (const item of items) {
    const network = item.length <= 100 ? canonicalNetwork(item) : null;
    if (!network) {
      throw new AppError('invalid_networks', `"${item.slice(0, 100)}" is not an IP network in CIDR notation (e.g. 10.0.0.0/8, 2001:db8::/32) or an IP address`);
    }
    if (!networks.includes(network)) networks.push(network);
  }
  return networks;
}

/**
 * Whether a client address is inside one of the networks. No networks: any address. An address that
 * is unknown (null, not an IP) is inside none. IPv4-mapped IPv6 addresses match IPv4 networks.
 */
export function addressAllowed(address: string | null | undefined, networks: readonly string[]): boolean {
  if (!networks.length) return true;
  const canonical = normaliseAddress(address);
  if (!canonical) return false;
  const parsed = unmap(ipaddr.parse(canonical));
  return networks.some((text) => {
    try {
      const [network, bits] = ipaddr.parseCIDR(text);
      return network.kind() === parsed.kind() && parsed.match(network, bits);
    } catch {
      return false;
    }
  });
}

/** "30d", "12h", "90m" (minutes), "2w", "45s" → milliseconds; throws AppError invalid_expiry (400). */
export function parseDuration(text: string): number {
  const match = /^\s*(\d{1,9})\s*([smhdw])\s*$/i.exec(text);
  const unit = match ? { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }[match[2].toLowerCase() as 's' | 'm' | 'h' | 'd' | 'w'] : 0;
  const ms = match ? Number(match[1]) * unit : 0;
  if (!match || ms <= 0) throw new AppError('invalid_expiry', `"${text.slice(0, 50)}" is not a duration: a whole number and a unit, e.g. 30d, 12h, 2w, 90m or 45s`);
  if (ms > MAX_EXPIRY_MS) throw new AppError('invalid_expiry', 'a token may be set to expire at most ten years ahead');
  return ms;
}

/**
 * An expiry time a token may be given: in the future and at most ten years ahead. Accepts a Date or
 * an ISO 8601 string; null/undefined/'' means never. Throws AppError invalid_expiry (400).
 */
export function parseExpiry(input: Date | string | null | undefined, now = new Date()): Date | null {
  if (input === null || input === undefined || input === '') return null;
  const at = input instanceof Date ? input : new Date(input);
  if (Number.isNaN(at.getTime())) throw new AppError('invalid_expiry', `"${String(input).slice(0, 50)}" is not a date and time (use ISO 8601, e.g. 2027-01-31T00:00:00Z)`);
  if (at.getTime() <= now.getTime()) throw new AppError('invalid_expiry', 'the expiry must be in the future');
  if (at.getTime() - now.getTime() > MAX_EXPIRY_MS) throw new AppError('invalid_expiry', 'a token may be set to expire at most ten years ahead');
  return at;
}

/** Whether a token with this expiry is expired at `now`. */
export const isExpired = (expiresAt: Date | null | undefined, now = Date.now()): boolean => expiresAt != null && expiresAt.getTime() <= now;

/** The expiry choices the dashboard offers, in days. */
export const EXPIRY_DAY_CHOICES = [30, 90, 365] as const;

/**
 * The dashboard's "Expires" field: '' (never), a number of days from now (30, 90, 365), or a date
 * (YYYY-MM-DD), valid through that day in UTC (it expires at the next midnight UTC).
 */
export function expiryFromChoice(choice: string | null | undefined, now = new Date()): Date | null {
  const text = (choice ?? '').trim();
  if (!text || text === 'never') return null;
  if (/^\d{1,4}$/.test(text)) {
    const days = Number(text);
    if (!(EXPIRY_DAY_CHOICES as readonly number[]).includes(days)) throw new AppError('invalid_expiry', `expiry must be ${EXPIRY_DAY_CHOICES.join(', ')} days or a date`);
    return new Date(now.getTime() + days * 86_400_000);
  }
  const date = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const [year, month, day] = date ? [Number(date[1]), Number(date[2]), Number(date[3])] : [0, 0, 0];
  const start = new Date(Date.UTC(year, month - 1, day));
  if (!date || start.getUTCFullYear() !== year || start.getUTCMonth() !== month - 1 || start.getUTCDate() !== day) {
    throw new AppError('invalid_expiry', `"${text.slice(0, 50)}" is not a date (YYYY-MM-DD) or a number of days`);
  }
  const at = new Date(start.getTime() + 86_400_000);
  return parseExpiry(at, now);
}
