export const INDICATOR_TYPES = [
  'ipv4',
  'ipv6',
  'cidr',
  'domain',
  'url',
  'email',
  'md5',
  'sha1',
  'sha256',
  'sha512',
] as const;

export type IndicatorType = (typeof INDICATOR_TYPES)[number];

export const HASH_TYPES = ['md5', 'sha1', 'sha256', 'sha512'] as const;
export type HashType = (typeof HASH_TYPES)[number];

export function isIndicatorType(value: unknown): value is IndicatorType {
  return typeof value === 'string' && (INDICATOR_TYPES as readonly string[]).includes(value);
}

/** Machine-readable rejection codes returned by parseIndicator. */
export const PARSE_ERROR_CODES = [
  'empty',
  'too_long',
  'control_chars',
  'invisible_chars',
  'malformed_unicode',
  'whitespace',
  'invalid_option',
  'invalid_hash',
  'invalid_ipv4',
  'ambiguous_ipv4',
  'invalid_ipv6',
  'invalid_port',
  'invalid_cidr',
  'cidr_too_broad',
  'invalid_domain',
  'unknown_tld',
  'public_suffix',
  'invalid_url',
  'unsupported_scheme',
  'invalid_email',
  'internal_error',
] as const;

export type ParseErrorCode = (typeof PARSE_ERROR_CODES)[number];

export interface ParseOk {
  ok: true;
  type: IndicatorType;
  /** Canonical form: the (type, value) pair is the deduplication key. */
  value: string;
  /** Only for ipv4 / ipv6 / domain written as `host:port`; never part of `value`. */
  port?: number;
}

export interface ParseError {
  ok: false;
  /** Human-readable and safe to display: never echoes raw input (at most a validated TLD or number). */
  reason: string;
  code: ParseErrorCode;
}

export type ParseResult = ParseOk | ParseError;

export interface ParseOptions {
  /** Parse strictly as this type instead of inferring one. */
  type?: IndicatorType;
  /** Broadest CIDR prefix accepted (smaller numbers are rejected). Defaults: ipv4 8, ipv6 32. */
  maxCidrPrefix?: { ipv4: number; ipv6: number };
}
