// Related public indicators: the same host (a URL's host, a domain's URLs, e-mails and subdomains)
// and the same network (an IPv4's /24, the CIDRs that contain an address, the addresses in a CIDR).
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';

export interface RelatedIndicator {
  type: IndicatorType;
  value: string;
  sightings: number;
  lastSeen: string;
}

export interface RelatedIndicators {
  sameHost: RelatedIndicator[];
  sameNetwork: RelatedIndicator[];
}

const LIMIT = 12;
const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const URL_PREFIX = '^[a-z][a-z0-9+.-]*://([^/?#@]*@)?';
const URL_SUFFIX = '(:[0-9]+)?([/?#]|$)';

/** The host of an indicator: a URL's host, an e-mail's domain, the value of a domain or address. */
export function hostOf(type: IndicatorType, value: string): { host: string; kind: 'domain' | 'ipv4' | 'ipv6' } | null {
  if (type === 'domain' || type === 'ipv4' || type === 'ipv6') return { host: value, kind: type };
  if (type === 'email') {
    const at = value.lastIndexOf('@');
    return at > 0 ? { host: value.slice(at + 1), kind: 'domain' } : null;
  }
  if (type === 'url') {
    try {
      const hostname = new URL(value).hostname;
      if (hostname.startsWith('[')) return { host: hostname.slice(1, -1), kind: 'ipv6' };
      if (/^\d+\.\d+\.\d+\.\d+$/.test(hostname)) return { host: hostname, kind: 'ipv4' };
      return hostname ? { host: hostname, kind: 'domain' } : null;
    } catch {
      return null;
    }
  }
  return null;
}

interface Row extends Record<string, unknown> {
  type: IndicatorType;
  value: string;
  public_count: number;
  public_last_seen: Date | string;
}

const toRelated = (rows: Row[]): RelatedIndicator[] =>
  rows.map((r) => ({ type: r.type, value: r.value, sightings: r.public_count, lastSeen: new Date(r.public_last_seen).toISOString() }));

const SELECT = `SELECT i.type::text AS type, i.value, i.public_count, i.public_last_seen FROM indicators i`;
const PUBLIC = `i.public_count > 0 AND i.public_last_seen IS NOT NULL AND NOT (i.type = $1::"IndicatorType" AND i.value = $2)`;
const ORDER = `ORDER BY i.public_last_seen DESC LIMIT ${LIMIT}`;

export async function findRelatedIndicators(sql: SqlDriver, indicator: { type: IndicatorType; value: string }): Promise<RelatedIndicators> {
  const { type, value } = indicator;
  const host = hostOf(type, value);
  const sameHost: Promise<Row[]> = (() => {
    if (!host) return Promise.resolve([]);
    if (host.kind === 'domain') {
      // The domain itself, its subdomains and parents, URLs on any of them, e-mails at them.
      const d = escapeRegex(host.host);
      return sql.query<Row>(
        `${SELECT} WHERE ${PUBLIC} AND (
           (i.type = 'domain' AND (i.value = $3 OR i.value LIKE '%.' || $3 OR $3 LIKE '%.' || i.value))
           OR (i.type = 'url' AND i.value ~ $4)
           OR (i.type = 'email' AND (i.value LIKE '%@' || $3 OR i.value LIKE '%.' || $3)))
         ${ORDER}`,
        [type, value, host.host, `${URL_PREFIX}([^/?#@:]*\\.)?${d}${URL_SUFFIX}`],
      );
    }
    const urlHost = host.kind === 'ipv6' ? `[${host.host}]` : host.host;
    return sql.query<Row>(
      `${SELECT} WHERE ${PUBLIC} AND ((i.type = $5::"IndicatorType" AND i.value = $3) OR (i.type = 'url' AND i.value ~ $4)) ${ORDER}`,
      [type, value, host.host, `${URL_PREFIX}${escapeRegex(urlHost)}${URL_SUFFIX}`, host.kind],
    );
  })();
  const sameNetwork: Promise<Row[]> = (() => {
    const address = host && (host.kind === 'ipv4' || host.kind === 'ipv6') ? host.host : null;
    if (type === 'cidr') {
      return sql.query<Row>(
        `${SELECT} WHERE ${PUBLIC} AND i.type IN ('ipv4', 'ipv6', 'cidr')
           AND CASE WHEN i.type IN ('ipv4', 'ipv6', 'cidr') THEN i.value::inet <<= $3::inet OR i.value::inet >> $3::inet ELSE false END
         ${ORDER}`,
        [type, value, value],
      );
    }
    if (!address) return Promise.resolve([]);
    const slash24 = host!.kind === 'ipv4' ? address.split('.').slice(0, 3).join('.') + '.%' : null;
    return sql.query<Row>(
      `${SELECT} WHERE ${PUBLIC} AND (
         ($4::text IS NOT NULL AND i.type = 'ipv4' AND i.value LIKE $4 AND i.value <> $3)
         OR CASE WHEN i.type = 'cidr' THEN i.value::inet >>= $3::inet ELSE false END)
       ${ORDER}`,
      [type, value, address, slash24],
    );
  })();
  const [h, n] = await Promise.all([sameHost, sameNetwork]);
  return { sameHost: toRelated(h), sameNetwork: toRelated(n) };
}
