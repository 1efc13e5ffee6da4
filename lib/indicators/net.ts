// Strict IP address helpers shared by the parser and the never-publish check.
//
// We deliberately do not use ipaddr.js for *parsing*: its IPv4 parser accepts
// inet_aton-style forms (hex, octal, 1-3 part addresses) and its IPv6 parser
// accepts zone ids and treats `::1.2.3.4` as IPv4-mapped. Attacker-controlled
// input must have exactly one interpretation, so we parse by hand and only use
// ipaddr.js to format RFC 5952 strings.
import ipaddr from 'ipaddr.js';

export type IpVersion = 4 | 6;

export interface IpAddress {
  version: IpVersion;
  /** Network-order bytes: 4 for IPv4, 16 for IPv6. */
  bytes: number[];
}

export type NetResult<T> = { ok: true; value: T } | { ok: false; code: NetErrorCode; reason: string };
export type NetErrorCode = 'invalid_ipv4' | 'ambiguous_ipv4' | 'invalid_ipv6';

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS_RE = /^[0-9a-f:.]+$/;
const HEX_GROUP_RE = /^[0-9a-f]{1,4}$/;

export function parseIPv4(s: string): NetResult<IpAddress> {
  const m = IPV4_RE.exec(s);
  if (m === null) {
    return { ok: false, code: 'invalid_ipv4', reason: 'invalid IPv4 address (expected four decimal octets)' };
  }
  const bytes: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const octet = m[i] ?? '';
    // "010" is 8 to inet_aton and browsers but 10 to most humans; refuse to guess.
    if (octet.length > 1 && octet.charCodeAt(0) === 48) {
      return {
        ok: false,
        code: 'ambiguous_ipv4',
        reason: 'IPv4 octet with a leading zero is ambiguous (octal or decimal)',
      };
    }
    const n = Number(octet);
    if (n > 255) return { ok: false, code: 'invalid_ipv4', reason: 'IPv4 octet out of range (0-255)' };
    bytes.push(n);
  }
  return { ok: true, value: { version: 4, bytes } };
}

/** Parses an IPv6 address without brackets or zone id. Input may be mixed case. */
export function parseIPv6(input: string): NetResult<IpAddress> {
  const bad = (reason = 'invalid IPv6 address'): NetResult<IpAddress> => ({ ok: false, code: 'invalid_ipv6', reason });
  if (input.length > 45) return bad();
  const s = input.toLowerCase();
  if (s.includes('%')) return bad('IPv6 zone identifiers are not allowed');
  if (!IPV6_CHARS_RE.test(s)) return bad();

  let head = s;
  let tail: number[] = [];
  // Embedded dotted quad (e.g. ::ffff:192.0.2.1) must be the last 32 bits.
  if (s.includes('.')) {
    const lastColon = s.lastIndexOf(':');
    if (lastColon < 0) return bad();
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (!v4.ok) return bad('invalid IPv4 part in IPv6 address');
    const b = v4.value.bytes;
    tail = [((b[0] ?? 0) << 8) | (b[1] ?? 0), ((b[2] ?? 0) << 8) | (b[3] ?? 0)];
    // Keep the colon so that "::1.2.3.4" still splits around "::".
    head = s.slice(0, lastColon + 1);
    if (head.endsWith('::')) {
      // "::" directly before the dotted quad: fine.
    } else if (head.endsWith(':')) {
      head = head.slice(0, -1);
    }
  }

  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!HEX_GROUP_RE.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };

  const want = 8 - tail.length;
  let groups: number[];
  const dbl = head.indexOf('::');
  if (dbl >= 0) {
    if (head.indexOf('::', dbl + 1) >= 0) return bad('IPv6 address has more than one "::"');
    const left = parseGroups(head.slice(0, dbl));
    const right = parseGroups(head.slice(dbl + 2));
    if (left === null || right === null) return bad();
    const missing = want - left.length - right.length;
    // "::" stands for at least one zero group.
    if (missing < 1) return bad();
    groups = [...left, ...new Array<number>(missing).fill(0), ...right];
  } else {
    const all = parseGroups(head);
    if (all === null || all.length !== want) return bad();
    groups = all;
  }
  groups.push(...tail);

  const bytes: number[] = [];
  for (const g of groups) bytes.push(g >> 8, g & 0xff);
  return { ok: true, value: { version: 6, bytes } };
}

export function parseIP(s: string): IpAddress | null {
  if (s.includes(':')) {
    const r = parseIPv6(s);
    return r.ok ? r.value : null;
  }
  const r = parseIPv4(s);
  return r.ok ? r.value : null;
}

export function formatIP(ip: IpAddress): string {
  if (ip.version === 4) return ip.bytes.join('.');
  const parts: number[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((ip.bytes[i] ?? 0) << 8) | (ip.bytes[i + 1] ?? 0));
  return new ipaddr.IPv6(parts).toRFC5952String();
}

/** Returns a copy of `bytes` with every bit after `prefix` cleared. */
export function maskBytes(bytes: readonly number[], prefix: number): number[] {
  return bytes.map((b, i) => {
    const bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
    return bitsHere === 0 ? 0 : b & ((0xff << (8 - bitsHere)) & 0xff);
  });
}

/** True when the first `prefix` bits of a and b are equal. */
export function prefixEquals(a: readonly number[], b: readonly number[], prefix: number): boolean {
  const full = Math.floor(prefix / 8);
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rem = prefix % 8;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return ((a[full] ?? 0) & mask) === ((b[full] ?? 0) & mask);
}

export interface IpNetwork {
  version: IpVersion;
  bytes: number[];
  prefix: number;
}

export function bitLength(version: IpVersion): number {
  return version === 4 ? 32 : 128;
}

/** Two networks overlap iff they agree on the shorter of their two prefixes. */
export function networksOverlap(a: IpNetwork, b: IpNetwork): boolean {
  if (a.version !== b.version) return false;
  return prefixEquals(a.bytes, b.bytes, Math.min(a.prefix, b.prefix));
}

/** True when `inner` lies entirely inside `outer`. */
export function networkContains(outer: IpNetwork, inner: IpNetwork): boolean {
  if (outer.version !== inner.version || inner.prefix < outer.prefix) return false;
  return prefixEquals(outer.bytes, inner.bytes, outer.prefix);
}

/**
 * Lenient-about-breadth network parser for configuration (allow-lists and
 * built-in tables): "a.b.c.d/n", "v6/n" or a bare address (= host route).
 * Host bits are zeroed. Returns null when invalid.
 */
export function parseNetwork(s: string): IpNetwork | null {
  const t = s.trim();
  const slash = t.indexOf('/');
  const addrPart = slash < 0 ? t : t.slice(0, slash);
  const ip = parseIP(addrPart);
  if (ip === null) return null;
  const max = bitLength(ip.version);
  let prefix = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return null;
    prefix = Number(p);
    if (prefix > max) return null;
  }
  return { version: ip.version, bytes: maskBytes(ip.bytes, prefix), prefix };
}
