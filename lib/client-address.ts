// The client's address for per-IP limits and loopback checks: one rule for HTTP, socket.io and the admin check.
//
// X-Forwarded-For is a list each proxy appends to: "client, proxy1, proxy2", and the socket's peer is
// the last proxy. Anyone can send the header, so only the entries written by proxies we trust mean
// anything: walk from the right (the socket) past trusted proxies and take the first hop that is not
// one. Never the leftmost entry: the client writes that one.
import ipaddr from 'ipaddr.js';

/** Which hops nearest Sluice are reverse proxies it trusts (TRUST_PROXY). */
export interface ProxyTrust {
  /** The nearest `hops` hops (the socket's peer first) are trusted proxies, whatever their address. */
  hops: number;
  /** Hops inside these networks are trusted proxies wherever they sit in the chain. */
  networks: ReadonlyArray<readonly [ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

/** No proxy: the socket's peer is the client. */
export const NO_PROXY: ProxyTrust = Object.freeze({ hops: 0, networks: [] });

/** What callers may pass: a parsed ProxyTrust, a boolean (true = one trusted proxy) or a hop count. */
export type ProxyTrustSetting = ProxyTrust | boolean | number;

const NAMED_NETWORKS: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  private: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
};

/**
 * Parses TRUST_PROXY: `false`/`0`/`no` (no proxy, the default), `true`/`yes` (one trusted proxy: the
 * socket's peer), a hop count (`2`: a CDN in front of a load balancer), or a comma-separated list of
 * proxy addresses and networks (`10.0.0.0/8, 2001:db8::/32`, also `loopback`, `private`, `linklocal`).
 * Throws an Error saying what is wrong.
 */
export function parseProxyTrust(raw: string | boolean | number | undefined | null): ProxyTrust {
  if (raw === undefined || raw === null || raw === false) return NO_PROXY;
  if (raw === true) return { hops: 1, networks: [] };
  if (typeof raw === 'number') return hopsTrust(raw);
  const text = raw.trim().toLowerCase();
  if (text === '' || text === 'false' || text === 'no' || text === 'off') return NO_PROXY;
  if (text === 'true' || text === 'yes' || text === 'on') return { hops: 1, networks: [] };
  if (/^\d+$/.test(text)) return hopsTrust(Number(text));
  const networks: Array<[ipaddr.IPv4 | ipaddr.IPv6, number]> = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    for (const cidr of NAMED_NETWORKS[item] ?? [item]) {
      const network = parseNetwork(cidr);
      if (!network) {
        throw new Error(`"${item}" is not an IP address or CIDR network (use true, false, a hop count or a list of networks)`);
      }
      networks.push(network);
    }
  }
  return { hops: 0, networks };
}

function hopsTrust(hops: number): ProxyTrust {
  if (!Number.isInteger(hops) || hops < 0 || hops > 32) throw new Error('a hop count must be an integer from 0 to 32');
  return hops === 0 ? NO_PROXY : { hops, networks: [] };
}

function parseNetwork(text: string): [ipaddr.IPv4 | ipaddr.IPv6, number] | null {
  try {
    if (text.includes('/')) {
      const [address, bits] = ipaddr.parseCIDR(text);
      return [unmap(address), address.kind() === 'ipv6' && unmap(address).kind() === 'ipv4' ? Math.max(0, bits - 96) : bits];
    }
    if (!ipaddr.isValid(text)) return null;
    const address = unmap(ipaddr.parse(text));
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return null;
  }
}

function unmap(address: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

function toTrust(setting: ProxyTrustSetting): ProxyTrust {
  if (typeof setting === 'object') return setting;
  return parseProxyTrust(setting);
}

/**
 * One address in canonical form: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4, IPv6 is
 * lower-cased and compressed (RFC 5952), a port (`1.2.3.4:5678`, `[::1]:80`) and an IPv6 zone are
 * dropped. Null for anything that is not an IP address (`unknown`, garbage, empty).
 */
export function normaliseAddress(value: string | null | undefined): string | null {
  const address = parseAddress(value);
  return address ? format(address) : null;
}

function parseAddress(value: string | null | undefined): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!value) return null;
  let text = value.trim();
  if (text.length > 100) return null;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  text = text.replace(/%[\w.-]+$/, '');
  // ipaddr.isValid accepts "0x7f.1" and other legacy IPv4 forms; only dotted-quad and IPv6 count.
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) return unmap(ipaddr.IPv6.parse(text));
  return null;
}

function format(address: ipaddr.IPv4 | ipaddr.IPv6): string {
  return address.kind() === 'ipv6' ? (address as ipaddr.IPv6).toRFC5952String() : address.toString();
}

/** The X-Forwarded-For entries, left (client-written) to right (nearest proxy); repeated headers joined. */
function forwardedHops(forwardedFor: string | readonly string[] | null | undefined): string[] {
  if (!forwardedFor) return [];
  const joined = typeof forwardedFor === 'string' ? forwardedFor : forwardedFor.join(',');
  // A bounded walk: nobody has 100 proxies, and a huge header must not cost a huge split.
  return joined.slice(-4096).split(',').map((s) => s.trim()).filter(Boolean);
}

function isTrustedNetwork(address: ipaddr.IPv4 | ipaddr.IPv6, trust: ProxyTrust): boolean {
  return trust.networks.some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits));
}

/**
 * The client's address: the rightmost hop that is not a trusted proxy, in canonical form.
 *
 * `remoteAddress` is the socket's peer (req.socket.remoteAddress, socket.handshake.address),
 * `forwardedFor` the raw X-Forwarded-For header(s), `trust` the TRUST_PROXY setting. With no trusted
 * proxy the header is ignored. When every hop is trusted the leftmost one is the answer (a trusted
 * proxy wrote it). If the hop that would be the answer is not an IP address (a misconfigured proxy),
 * the nearest trusted hop is returned instead, never a string the client chose. Null only when the
 * socket's address itself is unknown or not an IP address.
 */
export function clientAddress(input: {
  remoteAddress: string | null | undefined;
  forwardedFor?: string | readonly string[] | null;
  trust: ProxyTrustSetting;
}): string | null {
  const trust = toTrust(input.trust);
  let current = parseAddress(input.remoteAddress);
  if (!current) return null;
  if (trust.hops === 0 && trust.networks.length === 0) return format(current);
  const hops = forwardedHops(input.forwardedFor);
  // Position 0 is the socket's peer, position 1 the rightmost X-Forwarded-For entry, and so on.
  for (let position = 0; position < hops.length + 1; position++) {
    const trusted = position < trust.hops || isTrustedNetwork(current, trust);
    if (!trusted) break;
    const next = hops[hops.length - 1 - position];
    if (next === undefined) break;
    const parsed = parseAddress(next);
    if (!parsed) break;
    current = parsed;
  }
  return format(current);
}

/**
 * The client address server/http.ts recorded for this request. It sets X-Forwarded-For to the single
 * address clientAddress() resolved before Next sees the request, so the app's route handlers and pages
 * (which have no socket) read that. The rightmost entry is taken should it ever hold a list: it is the
 * one nearest Sluice, never the one a client wrote.
 */
export function recordedClientAddress(forwardedFor: string | readonly string[] | null | undefined): string | null {
  const hops = forwardedHops(forwardedFor);
  return normaliseAddress(hops[hops.length - 1]);
}

/**
 * The key per-IP limits count under: the address itself for IPv4, its /64 network for IPv6 (one
 * subscriber usually holds a whole /64, so per-address limits would be trivially dodged).
 */
export function addressLimitKey(address: string | null | undefined): string {
  const parsed = parseAddress(address);
  if (!parsed) return 'unknown';
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 4);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0]).toRFC5952String()}/64`;
}
