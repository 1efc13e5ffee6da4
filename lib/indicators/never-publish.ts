// "Never publish" policy: indicators that must not leave the instance even if
// a user reports them (non-routable addresses, special-use names, hashes of
// empty input) plus an operator allow-list of known-good domains/networks.
// Publishing these would make every consumer of the feed block their own LAN,
// localhost or google.com.
// Longer than 300 lines because it carries the special-purpose address registries (IANA tables)
// as data beside the matcher that reads them.
import { domainToASCII } from 'node:url';
import {
  bitLength,
  networkContains,
  networksOverlap,
  parseIP,
  parseNetwork,
  type IpAddress,
  type IpNetwork,
} from './net';
import { parseIndicator } from './parse-indicator';
import type { IndicatorType } from './types';

export type NeverPublishResult = { blocked: false } | { blocked: true; reason: string };

export interface AllowList {
  /** Known-good domains; an entry also covers all of its subdomains. */
  domains: string[];
  /** Known-good networks in CIDR notation (a bare address means a single host). */
  networks: string[];
}

export interface CompiledAllowList {
  readonly compiled: true;
  readonly domains: ReadonlySet<string>;
  readonly networks: readonly { net: IpNetwork; text: string }[];
}

interface Range {
  net: IpNetwork;
  cidr: string;
  label: string;
}

function table(rows: readonly (readonly [string, string])[]): Range[] {
  return rows.map(([cidr, label]) => {
    const net = parseNetwork(cidr);
    if (net === null) throw new Error(`never-publish: bad built-in range ${cidr}`);
    return { net, cidr, label };
  });
}

// IANA IPv4/IPv6 special-purpose registries, "globally reachable: false" rows
// plus documentation and benchmarking ranges, in address order.
const V4_RANGES = table([
  ['0.0.0.0/8', 'unspecified address range'],
  ['10.0.0.0/8', 'private address range'],
  ['100.64.0.0/10', 'carrier-grade NAT range'],
  ['127.0.0.0/8', 'loopback address range'],
  ['169.254.0.0/16', 'link-local address range'],
  ['172.16.0.0/12', 'private address range'],
  ['192.0.0.0/24', 'IETF protocol assignment range'],
  ['192.0.2.0/24', 'documentation range'],
  ['192.88.99.0/24', 'deprecated 6to4 relay anycast range'],
  ['192.168.0.0/16', 'private address range'],
  ['198.18.0.0/15', 'benchmarking range'],
  ['198.51.100.0/24', 'documentation range'],
  ['203.0.113.0/24', 'documentation range'],
  ['224.0.0.0/4', 'multicast address range'],
  ['240.0.0.0/4', 'reserved address range'],
  ['255.255.255.255/32', 'broadcast address'],
]);

const V6_RANGES = table([
  ['::/128', 'unspecified address'],
  ['::1/128', 'loopback address'],
  ['64:ff9b:1::/48', 'local-use NAT64 range'],
  ['100::/64', 'discard-only range'],
  ['2001:2::/48', 'benchmarking range'],
  ['2001:10::/28', 'deprecated ORCHID range'],
  ['2001:db8::/32', 'documentation range'],
  ['3fff::/20', 'documentation range'],
  ['5f00::/16', 'segment routing range'],
  ['fc00::/7', 'unique-local address range'],
  ['fe80::/10', 'link-local address range'],
  ['fec0::/10', 'deprecated site-local range'],
  ['ff00::/8', 'multicast address range'],
]);

const V6_GLOBAL_UNICAST = must(parseNetwork('2000::/3'));
// Ranges that embed an IPv4 address: judged by the embedded address.
const V6_EMBEDDED = [
  { net: must(parseNetwork('::ffff:0:0/96')), cidr: '::ffff:0:0/96', label: 'IPv4-mapped', offset: 12 },
  { net: must(parseNetwork('64:ff9b::/96')), cidr: '64:ff9b::/96', label: 'NAT64', offset: 12 },
  { net: must(parseNetwork('2002::/16')), cidr: '2002::/16', label: '6to4', offset: 2 },
] as const;

function must<T>(v: T | null): T {
  if (v === null) throw new Error('never-publish: bad built-in range');
  return v;
}

// Special-use names (RFC 6761 and friends) and common private-zone suffixes;
// each entry covers the name and all its subdomains. Not .onion: hidden
// services are legitimate indicators.
const SPECIAL_DOMAINS: ReadonlyMap<string, string> = new Map([
  ['localhost', 'special-use domain (.localhost)'],
  ['local', 'special-use domain (.local)'],
  ['internal', 'special-use domain (.internal)'],
  ['test', 'special-use domain (.test)'],
  ['example', 'special-use domain (.example)'],
  ['invalid', 'special-use domain (.invalid)'],
  ['alt', 'special-use domain (.alt)'],
  ['arpa', 'infrastructure domain (.arpa)'],
  ['localdomain', 'private-use domain (.localdomain)'],
  ['lan', 'private-use domain (.lan)'],
  ['home', 'private-use domain (.home)'],
  ['corp', 'private-use domain (.corp)'],
  ['intranet', 'private-use domain (.intranet)'],
  ['example.com', 'documentation domain (example.com)'],
  ['example.net', 'documentation domain (example.net)'],
  ['example.org', 'documentation domain (example.org)'],
]);

// Hashes of empty input: every scanner sees these, and publishing one would
// flag every empty file on the planet.
const EMPTY_HASHES: ReadonlySet<string> = new Set([
  'd41d8cd98f00b204e9800998ecf8427e',
  'da39a3ee5e6b4b0d3255bfef95601890afd80709',
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
]);

const NOT_BLOCKED: NeverPublishResult = { blocked: false };
const blocked = (reason: string): NeverPublishResult => ({ blocked: true, reason });

// ---------------------------------------------------------------------------
// Allow-list

/** Lenient domain normalisation for allow-list entries and non-canonical values. */
function normaliseLooseDomain(entry: string): string | null {
  let s = entry.trim().toLowerCase();
  if (s.startsWith('*.')) s = s.slice(2);
  else if (s.startsWith('.')) s = s.slice(1);
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (/[\u0080-\uffff]/.test(s)) s = domainToASCII(s);
  if (s === '' || !/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*$/.test(s)) return null;
  return s;
}

/**
 * Normalises an allow-list once (IDN to punycode, CIDR host bits cleared).
 * Invalid entries are ignored. Use this when checking many indicators.
 */
export function compileAllowList(allow: AllowList): CompiledAllowList {
  const domains = new Set<string>();
  for (const d of allow.domains) {
    const n = typeof d === 'string' ? normaliseLooseDomain(d) : null;
    if (n !== null) domains.add(n);
  }
  const networks: { net: IpNetwork; text: string }[] = [];
  for (const n of allow.networks) {
    const net = typeof n === 'string' ? parseNetwork(n) : null;
    if (net !== null) networks.push({ net, text: n.trim() });
  }
  return { compiled: true, domains, networks };
}

function isCompiled(a: AllowList | CompiledAllowList): a is CompiledAllowList {
  return (a as Partial<CompiledAllowList>).compiled === true;
}

// ---------------------------------------------------------------------------
// IP checks

/**
 * The range to name in the reason: the most specific range containing `net`
 * (so 255.255.255.255 is "broadcast", not "reserved"), else the first range
 * that a broader network overlaps.
 */
function matchRange(ranges: readonly Range[], net: IpNetwork): Range | undefined {
  let best: Range | undefined;
  for (const r of ranges) {
    if (networkContains(r.net, net) && (best === undefined || r.net.prefix > best.net.prefix)) best = r;
  }
  return best ?? ranges.find((r) => networksOverlap(r.net, net));
}

function v4NetworkReason(net: IpNetwork): string | null {
  const r = matchRange(V4_RANGES, net);
  return r === undefined ? null : `${r.label} (${r.cidr})`;
}

function v6NetworkReason(net: IpNetwork): string | null {
  for (const e of V6_EMBEDDED) {
    if (!networksOverlap(e.net, net)) continue;
    const v4Prefix = net.prefix - e.offset * 8;
    // The network is narrow enough to name a set of IPv4 addresses: judge those.
    if (net.prefix >= e.net.prefix && v4Prefix > 0) {
      const bytes = net.bytes.slice(e.offset, e.offset + 4);
      const inner = v4NetworkReason({ version: 4, bytes, prefix: Math.min(32, v4Prefix) });
      return inner === null ? null : `${e.label} ${inner}`;
    }
    return `${e.label} range (${e.cidr})`;
  }
  const r = matchRange(V6_RANGES, net);
  if (r !== undefined) return `${r.label} (${r.cidr})`;
  if (!networkContains(V6_GLOBAL_UNICAST, net)) return 'reserved address range (outside 2000::/3)';
  return null;
}

function networkReason(net: IpNetwork): string | null {
  return net.version === 4 ? v4NetworkReason(net) : v6NetworkReason(net);
}

function allowedNetworkReason(net: IpNetwork, allow: CompiledAllowList): string | null {
  for (const a of allow.networks) {
    if (networksOverlap(a.net, net)) return `allow-listed network (${a.text})`;
  }
  // An IPv4-mapped IPv6 address is the IPv4 address as far as allow-lists go.
  const mapped = V6_EMBEDDED[0];
  if (net.version === 6 && net.prefix >= 96 && networksOverlap(mapped.net, net)) {
    const v4: IpNetwork = { version: 4, bytes: net.bytes.slice(12, 16), prefix: net.prefix - 96 };
    for (const a of allow.networks) {
      if (networksOverlap(a.net, v4)) return `allow-listed network (${a.text})`;
    }
  }
  return null;
}

function checkNetwork(net: IpNetwork, allow: CompiledAllowList): NeverPublishResult {
  const reason = networkReason(net) ?? allowedNetworkReason(net, allow);
  return reason === null ? NOT_BLOCKED : blocked(reason);
}

function checkAddress(ip: IpAddress, allow: CompiledAllowList): NeverPublishResult {
  return checkNetwork({ version: ip.version, bytes: ip.bytes, prefix: bitLength(ip.version) }, allow);
}

// ---------------------------------------------------------------------------
// Domain checks

function checkDomain(domain: string, allow: CompiledAllowList): NeverPublishResult {
  // Walk "a.b.example.com" -> "b.example.com" -> "example.com" -> "com".
  let candidate = domain;
  for (;;) {
    const special = SPECIAL_DOMAINS.get(candidate);
    if (special !== undefined) return blocked(special);
    if (allow.domains.has(candidate)) return blocked(`allow-listed domain (${candidate})`);
    const dot = candidate.indexOf('.');
    if (dot < 0) return NOT_BLOCKED;
    candidate = candidate.slice(dot + 1);
  }
}

const V4_HOST_RE = /^\d+\.\d+\.\d+\.\d+$/;

function checkHost(host: string, allow: CompiledAllowList): NeverPublishResult {
  if (host.startsWith('[') && host.endsWith(']')) {
    const ip = parseIP(host.slice(1, -1));
    return ip === null ? blocked('unparseable host') : checkAddress(ip, allow);
  }
  if (V4_HOST_RE.test(host)) {
    const ip = parseIP(host);
    return ip === null ? blocked('unparseable host') : checkAddress(ip, allow);
  }
  let d = host.toLowerCase();
  if (d.endsWith('.')) d = d.slice(0, -1);
  return checkDomain(d, allow);
}

/** Host of a canonical URL value; null when the value is not one. */
function urlHost(value: string): string | null {
  try {
    return new URL(value).hostname;
  } catch {
    return null;
  }
}

function canonical(type: IndicatorType, value: string): string | null {
  const r = parseIndicator(value, { type, maxCidrPrefix: { ipv4: 0, ipv6: 0 } });
  return r.ok ? r.value : null;
}

function check(type: IndicatorType, value: string, allow: CompiledAllowList): NeverPublishResult {
  switch (type) {
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return EMPTY_HASHES.has(value.toLowerCase()) ? blocked('hash of empty input') : NOT_BLOCKED;
    case 'ipv4':
    case 'ipv6': {
      const version = type === 'ipv4' ? 4 : 6;
      let ip = parseIP(value);
      if (ip === null || ip.version !== version) ip = parseIP(canonical(type, value) ?? '');
      return ip === null || ip.version !== version ? blocked('unparseable indicator') : checkAddress(ip, allow);
    }
    case 'cidr': {
      // Built-in values are canonical; fall back to the parser for anything else.
      const net = parseNetwork(value) ?? parseNetwork(canonical(type, value) ?? '');
      return net === null ? blocked('unparseable indicator') : checkNetwork(net, allow);
    }
    case 'domain': {
      // Lenient on purpose: "printer.local" is not a valid indicator but must
      // still be reported as special-use rather than merely unparseable.
      const d = normaliseLooseDomain(value) ?? canonical(type, value);
      return d === null ? blocked('unparseable indicator') : checkHost(d, allow);
    }
    case 'url': {
      const host = urlHost(value) ?? urlHost(canonical(type, value) ?? '');
      return host === null || host === '' ? blocked('unparseable indicator') : checkHost(host, allow);
    }
    case 'email': {
      const at = value.lastIndexOf('@');
      const d = at > 0 ? normaliseLooseDomain(value.slice(at + 1)) : null;
      if (d !== null) return checkHost(d, allow);
      const c = canonical(type, value);
      return c === null ? blocked('unparseable indicator') : checkHost(c.slice(c.lastIndexOf('@') + 1), allow);
    }
    default:
      return blocked('unknown indicator type');
  }
}

/**
 * Decides whether an indicator may be published. Fails closed: anything that
 * cannot be understood is blocked. Never throws.
 */
export function checkNeverPublish(
  parsed: { type: IndicatorType; value: string },
  allow: AllowList | CompiledAllowList,
): NeverPublishResult {
  try {
    if (typeof parsed.value !== 'string') return blocked('unparseable indicator');
    const compiled = isCompiled(allow) ? allow : compileAllowList(allow);
    return check(parsed.type, parsed.value, compiled);
  } catch {
    return blocked('internal error while checking indicator');
  }
}
