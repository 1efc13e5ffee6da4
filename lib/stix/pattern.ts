// STIX patterning (STIX 2.1 §9): one comparison per Sluice indicator type. String literals follow
// the grammar's StringLiteral rule (QUOTE ( ~['\\] | '\\\'' | '\\\\' )* QUOTE): a backslash is
// written `\\`, a quote `\'`, everything else as is.
import type { IndicatorType } from '../indicators/types';

export function stixString(value: string): string {
  return `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

/** The object path of each type; hash names with a hyphen are quoted path components. */
const PATHS: Record<Exclude<IndicatorType, 'cidr'>, string> = {
  ipv4: 'ipv4-addr:value',
  ipv6: 'ipv6-addr:value',
  domain: 'domain-name:value',
  url: 'url:value',
  email: 'email-addr:value',
  md5: 'file:hashes.MD5',
  sha1: "file:hashes.'SHA-1'",
  sha256: "file:hashes.'SHA-256'",
  sha512: "file:hashes.'SHA-512'",
};

export function stixPattern(type: IndicatorType, value: string): string {
  if (type === 'cidr') {
    // A network: the addresses in it (ISSUBSET takes a CIDR string).
    return `[${value.includes(':') ? 'ipv6-addr' : 'ipv4-addr'}:value ISSUBSET ${stixString(value)}]`;
  }
  return `[${PATHS[type]} = ${stixString(value)}]`;
}
