// Indicator parsing and normalisation. Every input is attacker-controlled:
// the parser never throws, never echoes input into `reason`, and produces one
// canonical (type, value) pair per indicator so that deduplication works.
// Longer than 300 lines because each of the ten indicator types has its own grammar; they share
// the normalisation helpers at the top, and splitting them would scatter one table of rules.
import { domainToASCII } from 'node:url';
import { parse as parseTld } from 'tldts';
import {
  bitLength,
  formatIP,
  maskBytes,
  parseIPv4,
  parseIPv6,
  type IpAddress,
  type NetResult,
} from './net';
import {
  isIndicatorType,
  type HashType,
  type IndicatorType,
  type ParseError,
  type ParseErrorCode,
  type ParseOptions,
  type ParseResult,
} from './types';

export type { ParseError, ParseErrorCode, ParseOk, ParseOptions, ParseResult } from './types';

export const MAX_INPUT_LENGTH = 2048;
export const DEFAULT_MAX_CIDR_PREFIX = { ipv4: 8, ipv6: 32 } as const;

const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
const MAX_EMAIL_LENGTH = 254;
const MAX_EMAIL_LOCAL_LENGTH = 64;

const HASH_LENGTHS: Readonly<Record<number, HashType>> = { 32: 'md5', 40: 'sha1', 64: 'sha256', 128: 'sha512' };
const HASH_HEX_LENGTH: Readonly<Record<HashType, number>> = { md5: 32, sha1: 40, sha256: 64, sha512: 128 };
const URL_SCHEMES: ReadonlySet<string> = new Set(['http', 'https', 'ftp', 'ws', 'wss']);
// TLDs outside the ICANN root that malware really uses (resolved by overlay
// networks or alternative roots), so they are absent from the Public Suffix
// List: Tor (.onion, also in the PSL), I2P, Namecoin (.bit), EmerDNS (.bazar
// is BazarLoader's C2 TLD; >6000 maltrail rows) and OpenNIC.
export const ALT_ROOT_TLDS: ReadonlySet<string> = new Set([
  'onion',
  'i2p',
  'bit',
  // EmerDNS
  'bazar',
  'coin',
  'emc',
  'lib',
  // OpenNIC
  'bbs',
  'chan',
  'cyb',
  'dyn',
  'epic',
  'geek',
  'gopher',
  'indy',
  'libre',
  'neo',
  'null',
  'o',
  'oss',
  'oz',
  'parody',
  'pirate',
]);

// C0, DEL and C1 controls.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f]/;
// Invisible / bidi formatting characters: UTS 46 silently deletes some of them
// (so "ex\u200Bample.com" would become "example.com") and the rest are used for
// display spoofing. An indicator never legitimately contains one.
const INVISIBLE_RE = /[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb]/;
const LONE_SURROGATE_RE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const WHITESPACE_RE = /\s/;
const HEX_RE = /^[0-9a-f]+$/i;
const NON_ASCII_RE = /[\u0080-\uffff]/;
const LABEL_RE = /^[a-z0-9_-]+$/;
const ASCII_HOST_CHARS_RE = /^[a-z0-9._-]+$/i;
const NON_ASCII_GLOBAL_RE = /[\u0080-\uffff]/g;
const DIGITS_RE = /^\d+$/;
const PORT_RE = /^\d{1,5}$/;
const EMAIL_LOCAL_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/i;

// Shape tests only pick a parser; they are written to run in linear time
// (no overlapping quantifiers) because input can be 2048 hostile characters.
const SHAPE_V4_CIDR_RE = /^\d+\.[\d.]*\/\d+$/;
const SHAPE_V6_CIDR_RE = /^[0-9a-f:.]+\/\d+$/i;
const SHAPE_V6_CHARS_RE = /^[0-9a-f:.]+$/i;
const SHAPE_V4_RE = /^\d+\.[\d.]*(?::.*)?$/;
const SHAPE_SCHEME_RE = /^([a-z][a-z0-9+-]*):/i;
const URL_SCHEME_RE = /^([a-z][a-z0-9+.-]*):/i;
const PORT_AFTER_COLON_RE = /^\d+(?:$|[/?#\\])/;
const URL_SPECIAL_CHARS_RE = /[/?#\\]/;
const AUTHORITY_END_RE = /[/?#\\]/;

// Defanging: order matters only in that "[://]" must be handled before "[:]".
const REFANG_DOT_RE = /\[\.\]|\(\.\)|\{\.\}|\[dot\]|\(dot\)|\{dot\}/gi;
const REFANG_AT_RE = /\[@\]|\(@\)|\{@\}|\[at\]|\(at\)|\{at\}/gi;
const REFANG_SCHEME_SEP_RE = /\[:\/\/\]/g;
const REFANG_COLON_RE = /\[:\]/g;
const REFANG_HXXP_RE = /^h(?:xx|tt|xt|tx)p(s?)(?=:|\[:)/i;
const REFANG_FXP_RE = /^fxp(?=:|\[:)/i;

type Fail = ParseError;
type Ok<T> = { ok: true; value: T };

/** At least two colons and nothing but hex digits, colons and dots. */
function looksLikeIPv6(s: string): boolean {
  const first = s.indexOf(':');
  return first >= 0 && s.indexOf(':', first + 1) >= 0 && SHAPE_V6_CHARS_RE.test(s);
}

function looksLikeIPv6Cidr(s: string): boolean {
  const slash = s.indexOf('/');
  return slash > 0 && SHAPE_V6_CIDR_RE.test(s) && looksLikeIPv6(s.slice(0, slash));
}

function fail(code: ParseErrorCode, reason: string): Fail {
  return { ok: false, code, reason };
}

function netFail<T>(r: NetResult<T> & { ok: false }): Fail {
  return fail(r.code, r.reason);
}

// ---------------------------------------------------------------------------
// Pre-processing

/** Undoes common "defanging" so that `hxxp://evil[.]com` parses as a URL. */
export function refang(s: string): string {
  // Cheap test first: the vast majority of feed input is not defanged.
  if (s.includes('[') || s.includes('(') || s.includes('{')) {
    s = s
      .replace(REFANG_SCHEME_SEP_RE, '://')
      .replace(REFANG_DOT_RE, '.')
      .replace(REFANG_AT_RE, '@')
      .replace(REFANG_COLON_RE, ':');
  }
  const c = s.charCodeAt(0) | 0x20;
  if (c === 0x68 /* h */) s = s.replace(REFANG_HXXP_RE, 'http$1');
  else if (c === 0x66 /* f */) s = s.replace(REFANG_FXP_RE, 'ftp');
  return s;
}

function preprocess(input: string): Ok<string> | Fail {
  const s = input.trim();
  if (s.length === 0) return fail('empty', 'empty input');
  if (s.length > MAX_INPUT_LENGTH) return fail('too_long', `too long (max ${MAX_INPUT_LENGTH} characters)`);
  if (CONTROL_RE.test(s)) return fail('control_chars', 'contains control characters');
  if (LONE_SURROGATE_RE.test(s)) return fail('malformed_unicode', 'contains malformed Unicode (unpaired surrogate)');
  if (INVISIBLE_RE.test(s)) return fail('invisible_chars', 'contains invisible formatting characters');
  if (WHITESPACE_RE.test(s)) return fail('whitespace', 'contains whitespace');
  return { ok: true, value: refang(s) };
}

// ---------------------------------------------------------------------------
// Hashes

function parseHash(s: string, type: HashType): ParseResult {
  const len = HASH_HEX_LENGTH[type];
  if (s.length !== len || !HEX_RE.test(s)) {
    return fail('invalid_hash', `not a valid ${type} hash (expected ${len} hexadecimal characters)`);
  }
  return { ok: true, type, value: s.toLowerCase() };
}

// ---------------------------------------------------------------------------
// Ports, IPs, CIDRs

function parsePort(s: string): Ok<number> | Fail {
  if (!PORT_RE.test(s)) return fail('invalid_port', 'invalid port (must be 1-65535)');
  const n = Number(s);
  if (n < 1 || n > 65535) return fail('invalid_port', 'invalid port (must be 1-65535)');
  return { ok: true, value: n };
}

function ipResult(ip: IpAddress, port?: number): ParseResult {
  const type = ip.version === 4 ? 'ipv4' : 'ipv6';
  return port === undefined ? { ok: true, type, value: formatIP(ip) } : { ok: true, type, value: formatIP(ip), port };
}

function parseIPv4WithPort(s: string): ParseResult {
  const colon = s.indexOf(':');
  const ip = parseIPv4(colon < 0 ? s : s.slice(0, colon));
  if (!ip.ok) return netFail(ip);
  if (colon < 0) return ipResult(ip.value);
  const port = parsePort(s.slice(colon + 1));
  if (!port.ok) return port;
  return ipResult(ip.value, port.value);
}

/** Bare IPv6, or "[v6]" / "[v6]:port". */
function parseIPv6WithPort(s: string): ParseResult {
  if (s.charCodeAt(0) !== 0x5b /* [ */) {
    const ip = parseIPv6(s);
    return ip.ok ? ipResult(ip.value) : netFail(ip);
  }
  const close = s.indexOf(']');
  if (close < 0) return fail('invalid_ipv6', 'invalid IPv6 address (unclosed bracket)');
  const ip = parseIPv6(s.slice(1, close));
  if (!ip.ok) return netFail(ip);
  const rest = s.slice(close + 1);
  if (rest === '') return ipResult(ip.value);
  if (rest.charCodeAt(0) !== 0x3a /* : */) return fail('invalid_ipv6', 'invalid IPv6 address (unexpected text after bracket)');
  const port = parsePort(rest.slice(1));
  if (!port.ok) return port;
  return ipResult(ip.value, port.value);
}

function parseCidr(s: string, limits: { ipv4: number; ipv6: number }): ParseResult {
  const slash = s.indexOf('/');
  if (slash < 0) return fail('invalid_cidr', 'invalid CIDR (expected address/prefix)');
  const addr = s.slice(0, slash);
  const prefixText = s.slice(slash + 1);
  const ipr = addr.includes(':') ? parseIPv6(addr) : parseIPv4(addr);
  if (!ipr.ok) return fail('invalid_cidr', `invalid CIDR: ${ipr.reason}`);
  const ip = ipr.value;
  const max = bitLength(ip.version);
  // No leading zeros / signs / huge numbers: "/024" has no canonical meaning.
  if (!/^(?:0|[1-9]\d{0,2})$/.test(prefixText) || Number(prefixText) > max) {
    return fail('invalid_cidr', `invalid CIDR prefix length (must be 0-${max})`);
  }
  const prefix = Number(prefixText);
  const min = ip.version === 4 ? limits.ipv4 : limits.ipv6;
  if (prefix < min) {
    return fail(
      'cidr_too_broad',
      `CIDR prefix /${prefix} is too broad (minimum /${min} for IPv${ip.version})`,
    );
  }
  const network: IpAddress = { version: ip.version, bytes: maskBytes(ip.bytes, prefix) };
  // A host route is just an address; keep one canonical form for it.
  if (prefix === max) return ipResult(network);
  return { ok: true, type: 'cidr', value: `${formatIP(network)}/${prefix}` };
}

// ---------------------------------------------------------------------------
// Domains and hosts

export type HostKind = 'domain' | 'ipv4' | 'ipv6';
export interface ParsedHost {
  kind: HostKind;
  /** Canonical host: lower-case punycode domain, dotted quad, or RFC 5952 IPv6 (no brackets). */
  host: string;
}

/**
 * Validates and normalises a domain name: lower-case, no trailing dot,
 * punycode, LDH plus "_" labels, known public suffix (or .onion/.bit/.i2p).
 */
export function normaliseDomain(raw: string): Ok<string> | Fail {
  const bad = (reason: string): Fail => fail('invalid_domain', reason);
  let s = raw;
  if (s.length === 0) return bad('empty domain');
  // Generous early cap so that UTS 46 never sees huge strings.
  if (s.length > MAX_DOMAIN_LENGTH * 4) return bad(`domain too long (max ${MAX_DOMAIN_LENGTH} characters)`);

  if (NON_ASCII_RE.test(s)) {
    // The WHATWG host parser behind domainToASCII percent-decodes and maps
    // characters; only let it see letters, digits, dots, "-" and "_" in ASCII.
    const ascii = s.replace(NON_ASCII_GLOBAL_RE, '');
    if (ascii !== '' && !ASCII_HOST_CHARS_RE.test(ascii)) return bad('domain contains invalid characters');
    const converted = domainToASCII(s);
    if (converted === '') return bad('invalid internationalised domain name');
    s = converted;
  } else {
    if (!ASCII_HOST_CHARS_RE.test(s)) return bad('domain contains invalid characters');
    s = s.toLowerCase();
  }
  if (s.endsWith('.')) s = s.slice(0, -1);
  if (s.length === 0) return bad('empty domain');
  if (s.length > MAX_DOMAIN_LENGTH) return bad(`domain too long (max ${MAX_DOMAIN_LENGTH} characters)`);

  const labels = s.split('.');
  for (const label of labels) {
    if (label.length === 0) return bad('domain has an empty label');
    if (label.length > MAX_LABEL_LENGTH) return bad(`domain label too long (max ${MAX_LABEL_LENGTH} characters)`);
    if (!LABEL_RE.test(label)) return bad('domain contains invalid characters');
    // Reject A-labels that are not valid punycode (e.g. "xn--zz"): they cannot
    // be registered and have no Unicode form to display.
    if (label.startsWith('xn--') && domainToASCII(label) !== label) return bad('invalid punycode label');
  }
  if (labels.length < 2) return bad('single-label name is not a domain');
  const tld = labels[labels.length - 1] ?? '';
  if (DIGITS_RE.test(tld)) return bad('looks like an IP address, not a domain');

  if (ALT_ROOT_TLDS.has(tld)) return { ok: true, value: s };
  const info = parseTld(s, {
    allowPrivateDomains: true,
    extractHostname: false,
    validateHostname: false,
    detectIp: false,
    mixedInputs: false,
  });
  if (!info.isIcann && !info.isPrivate) return fail('unknown_tld', `unknown top-level domain (.${tld})`);
  // "com" or "co.uk" alone is a registry, not an indicator. Private suffixes
  // such as "duckdns.org" are real hostnames and stay accepted.
  if (info.isIcann && info.domain === null) {
    return fail('public_suffix', 'is a public suffix, not a registrable domain');
  }
  return { ok: true, value: s };
}

/** Parses a URL/email host: domain, dotted-quad IPv4 or bracketed IPv6. */
export function parseHost(raw: string): Ok<ParsedHost> | Fail {
  if (raw.charCodeAt(0) === 0x5b /* [ */) {
    if (raw.charCodeAt(raw.length - 1) !== 0x5d /* ] */) return fail('invalid_ipv6', 'invalid IPv6 address (unclosed bracket)');
    const ip = parseIPv6(raw.slice(1, -1));
    return ip.ok ? { ok: true, value: { kind: 'ipv6', host: formatIP(ip.value) } } : netFail(ip);
  }
  if (SHAPE_V4_RE.test(raw)) {
    const ip = parseIPv4(raw);
    return ip.ok ? { ok: true, value: { kind: 'ipv4', host: formatIP(ip.value) } } : netFail(ip);
  }
  const d = normaliseDomain(raw);
  return d.ok ? { ok: true, value: { kind: 'domain', host: d.value } } : d;
}

function parseDomainIndicator(s: string): ParseResult {
  const colon = s.indexOf(':');
  const hostPart = colon < 0 ? s : s.slice(0, colon);
  if (SHAPE_V4_RE.test(hostPart) || hostPart.charCodeAt(0) === 0x5b || looksLikeIPv6(s)) {
    return fail('invalid_domain', 'not a domain (looks like an IP address)');
  }
  const d = normaliseDomain(hostPart);
  if (!d.ok) return d;
  if (colon < 0) return { ok: true, type: 'domain', value: d.value };
  const port = parsePort(s.slice(colon + 1));
  if (!port.ok) return port;
  return { ok: true, type: 'domain', value: d.value, port: port.value };
}

// ---------------------------------------------------------------------------
// URLs

function parseUrl(input: string): ParseResult {
  let s = input;
  if (s.startsWith('//')) {
    s = `http:${s}`;
  } else {
    const m = URL_SCHEME_RE.exec(s);
    const afterColon = m === null ? '' : s.slice(m[0].length);
    const hasScheme =
      m !== null &&
      (afterColon.startsWith('//') ||
        // "host:8080/path" and "evil.com:443" are host:port, not a scheme.
        (!PORT_AFTER_COLON_RE.test(afterColon) && !(m[1] ?? '').includes('.')));
    if (!hasScheme) s = `http://${s}`;
  }

  const m = URL_SCHEME_RE.exec(s);
  const scheme = (m?.[1] ?? '').toLowerCase();
  if (m === null || !URL_SCHEMES.has(scheme)) return fail('unsupported_scheme', 'unsupported URL scheme');
  const afterScheme = s.slice(m[0].length);
  if (!afterScheme.startsWith('//')) return fail('invalid_url', 'invalid URL (expected scheme://host)');

  const authStart = m[0].length + 2;
  const endMatch = AUTHORITY_END_RE.exec(s.slice(authStart));
  const authEnd = endMatch === null ? s.length : authStart + endMatch.index;
  const authority = s.slice(authStart, authEnd);
  const rest = s.slice(authEnd);

  const at = authority.lastIndexOf('@');
  const userinfo = at < 0 ? '' : authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  if (hostPort === '') return fail('invalid_url', 'URL has no host');

  let hostText = hostPort;
  let portText: string | undefined;
  if (hostPort.charCodeAt(0) === 0x5b /* [ */) {
    const close = hostPort.indexOf(']');
    if (close < 0) return fail('invalid_url', 'invalid URL host: unclosed IPv6 bracket');
    hostText = hostPort.slice(0, close + 1);
    const after = hostPort.slice(close + 1);
    if (after !== '') {
      if (after.charCodeAt(0) !== 0x3a) return fail('invalid_url', 'invalid URL host');
      portText = after.slice(1);
    }
  } else {
    const colon = hostPort.indexOf(':');
    if (colon >= 0) {
      hostText = hostPort.slice(0, colon);
      portText = hostPort.slice(colon + 1);
    }
  }
  if (hostText === '') return fail('invalid_url', 'URL has no host');

  const host = parseHost(hostText);
  if (!host.ok) return fail('invalid_url', `invalid URL host: ${host.reason}`);
  let portSuffix = '';
  if (portText !== undefined) {
    const port = parsePort(portText);
    if (!port.ok) return fail('invalid_url', `invalid URL port: ${port.reason}`);
    portSuffix = `:${port.value}`;
  }
  const hostSerialised = host.value.kind === 'ipv6' ? `[${host.value.host}]` : host.value.host;

  let url: URL;
  try {
    url = new URL(`${scheme}://${userinfo}${hostSerialised}${portSuffix}${rest}`);
  } catch {
    return fail('invalid_url', 'invalid URL');
  }
  // Belt and braces: the WHATWG parser must agree with our host validation.
  if (url.hostname !== hostSerialised) return fail('invalid_url', 'invalid URL host');
  url.hash = '';
  const value = url.href;
  if (value.length > MAX_INPUT_LENGTH) {
    return fail('too_long', `normalised URL too long (max ${MAX_INPUT_LENGTH} characters)`);
  }
  return { ok: true, type: 'url', value };
}

// ---------------------------------------------------------------------------
// Email

function parseEmail(input: string): ParseResult {
  const s = input.length > 7 && input.slice(0, 7).toLowerCase() === 'mailto:' ? input.slice(7) : input;
  if (s.length > MAX_EMAIL_LENGTH) return fail('invalid_email', `email address too long (max ${MAX_EMAIL_LENGTH} characters)`);
  const at = s.indexOf('@');
  if (at < 0 || at !== s.lastIndexOf('@')) return fail('invalid_email', 'invalid email address (expected local@domain)');
  const local = s.slice(0, at);
  const domainPart = s.slice(at + 1);
  if (local.length === 0 || local.length > MAX_EMAIL_LOCAL_LENGTH || !EMAIL_LOCAL_RE.test(local)) {
    return fail('invalid_email', 'invalid email local part');
  }
  const d = normaliseDomain(domainPart);
  if (!d.ok) return fail('invalid_email', `invalid email domain: ${d.reason}`);
  const value = `${local.toLowerCase()}@${d.value}`;
  if (value.length > MAX_EMAIL_LENGTH) return fail('invalid_email', `email address too long (max ${MAX_EMAIL_LENGTH} characters)`);
  return { ok: true, type: 'email', value };
}

// ---------------------------------------------------------------------------
// Dispatch

type Limits = { ipv4: number; ipv6: number };

function parseAs(type: IndicatorType, s: string, limits: Limits): ParseResult {
  switch (type) {
    case 'md5':
    case 'sha1':
    case 'sha256':
    case 'sha512':
      return parseHash(s, type);
    case 'ipv4': {
      // "1.2.3.4/32" is the same indicator; anything else with "/" is not an address.
      const r = s.includes('/') ? parseCidr(s, limits) : parseIPv4WithPort(s);
      return !r.ok || r.type === 'ipv4' ? r : fail('invalid_ipv4', 'not an IPv4 address');
    }
    case 'ipv6': {
      const r = s.includes('/') ? parseCidr(s, limits) : parseIPv6WithPort(s);
      if (!r.ok) return r.code === 'invalid_ipv4' || r.code === 'ambiguous_ipv4' ? fail('invalid_ipv6', 'not an IPv6 address') : r;
      return r.type === 'ipv6' ? r : fail('invalid_ipv6', 'not an IPv6 address');
    }
    case 'cidr':
      // Note: a host prefix (/32, /128) is returned as ipv4/ipv6.
      return parseCidr(s, limits);
    case 'domain':
      return parseDomainIndicator(s);
    case 'url':
      return parseUrl(s);
    case 'email':
      return parseEmail(s);
  }
}

function infer(s: string, limits: Limits): ParseResult {
  const hashType = HASH_LENGTHS[s.length];
  if (hashType !== undefined && HEX_RE.test(s)) return { ok: true, type: hashType, value: s.toLowerCase() };
  if (s.includes('://') || s.startsWith('//')) return parseUrl(s);
  if (SHAPE_V4_CIDR_RE.test(s) || looksLikeIPv6Cidr(s)) return parseCidr(s, limits);
  const special = URL_SPECIAL_CHARS_RE.test(s);
  if (!special) {
    // v4 first: "1.2.3.4:22:443" must be reported as a bad IPv4 port.
    if (SHAPE_V4_RE.test(s)) return parseIPv4WithPort(s);
    if (s.charCodeAt(0) === 0x5b /* [ */ || looksLikeIPv6(s)) return parseIPv6WithPort(s);
    // "fe80::1%eth0": report the zone id rather than a bogus URL scheme.
    const pct = s.indexOf('%');
    if (pct > 0 && looksLikeIPv6(s.slice(0, pct))) return parseIPv6WithPort(s);
  }
  const scheme = SHAPE_SCHEME_RE.exec(s);
  if (scheme !== null && !PORT_AFTER_COLON_RE.test(s.slice(scheme[0].length))) {
    if ((scheme[1] ?? '').toLowerCase() === 'mailto') return parseEmail(s);
    return parseUrl(s);
  }
  if (special) return parseUrl(s);
  if (s.includes('@')) return parseEmail(s);
  return parseDomainIndicator(s);
}

// A NaN or out-of-range limit from bad configuration must not silently allow /0.
function prefixLimit(v: number | undefined, fallback: number, max: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max ? v : fallback;
}

/**
 * Parses one indicator. Never throws; returns `{ ok: false }` for anything
 * that is not a valid indicator (of `opts.type`, when given).
 */
export function parseIndicator(input: string, opts?: ParseOptions): ParseResult {
  try {
    if (typeof input !== 'string') return fail('empty', 'input is not a string');
    const limits: Limits = {
      ipv4: prefixLimit(opts?.maxCidrPrefix?.ipv4, DEFAULT_MAX_CIDR_PREFIX.ipv4, 32),
      ipv6: prefixLimit(opts?.maxCidrPrefix?.ipv6, DEFAULT_MAX_CIDR_PREFIX.ipv6, 128),
    };
    const type = opts?.type;
    if (type !== undefined && !isIndicatorType(type)) return fail('invalid_option', 'unknown indicator type');
    const pre = preprocess(input);
    if (!pre.ok) return pre;
    return type === undefined ? infer(pre.value, limits) : parseAs(type, pre.value, limits);
  } catch {
    // Defence in depth: a bug here must reject the input, not crash ingestion.
    return fail('internal_error', 'internal parser error');
  }
}
