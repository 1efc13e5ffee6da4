// The export bodies: plain lists, CSV, JSON, an RPZ zone, Suricata and Snort rules. Each is a pure
// function of the rows and the export's metadata, so the same rows always give the same bytes (and
// the same ETag): nothing here reads the clock.
import { csvCell } from '../csv';
import { defang } from '../indicators/defang';
import { indicatorPath } from '../threats/format';
import { dnsWireContent, plainLine, ruleAddress, ruleContent, ruleMsg, zoneName } from './escape';
import type { ExportFormat, ExportQuery, ExportRow, ExportTier } from './types';

export interface ExportMeta {
  tier: ExportTier;
  /** When this body's content last changed (the Last-Modified header). */
  lastModified: Date;
  delaySeconds: number;
  truncated: boolean;
  query: ExportQuery;
  /** Absolute base URL, for links in comments. */
  baseUrl: string;
}

/** Rule ids: a range local rules rarely use, plus the indicator's id (stable between downloads). */
export const SID_BASE = 3_000_000_000;
const SID_MAX = 4_294_967_295;

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json',
  rpz: 'text/dns; charset=utf-8',
  suricata: 'text/plain; charset=utf-8',
  snort: 'text/plain; charset=utf-8',
};

export function renderExport(rows: ExportRow[], meta: ExportMeta): string {
  switch (meta.query.format) {
    case 'txt':
      return toTxt(rows);
    case 'csv':
      return toCsv(rows);
    case 'json':
      return toJson(rows, meta);
    case 'rpz':
      return toRpz(rows, meta);
    case 'suricata':
      return toRules(rows, meta, 'suricata');
    case 'snort':
      return toRules(rows, meta, 'snort');
  }
}

/** One value per line, nothing else (firewalls and DNS filters read it as is). */
export function toTxt(rows: ExportRow[]): string {
  let out = '';
  for (const row of rows) {
    const line = plainLine(row.value);
    if (line) out += line + '\n';
  }
  return out;
}

export const EXPORT_CSV_COLUMNS = ['type', 'value', 'defanged', 'tags', 'feeds', 'confidence', 'first_seen', 'last_seen'] as const;

export function toCsv(rows: ExportRow[]): string {
  const lines = [EXPORT_CSV_COLUMNS.join(',')];
  for (const r of rows) {
    lines.push([r.type, r.value, defang(r.type, r.value), r.tags.join(' '), r.feeds.join(' '), r.confidence, r.firstSeen, r.lastSeen].map(csvCell).join(','));
  }
  return lines.join('\r\n') + '\r\n';
}

export function toJson(rows: ExportRow[], meta: ExportMeta): string {
  const { format: _format, ...filters } = meta.query;
  return JSON.stringify({
    tier: meta.tier,
    delaySeconds: meta.delaySeconds,
    lastModified: meta.lastModified.toISOString(),
    filters,
    truncated: meta.truncated,
    count: rows.length,
    indicators: rows.map((r) => ({
      type: r.type,
      value: r.value,
      tags: r.tags,
      feeds: r.feeds,
      confidence: r.confidence,
      firstSeen: r.firstSeen,
      lastSeen: r.lastSeen,
      page: indicatorPath(r.type, r.value),
    })),
  });
}

const commentSafe = (s: string) => s.replace(/[^\x20-\x7e]/g, '?');

function header(meta: ExportMeta, prefix: string, what: string): string[] {
  const q = meta.query;
  const filters = [q.tag && `tag=${q.tag}`, q.feed && `feed=${q.feed}`, q.minConfidence && `minConfidence=${q.minConfidence}`, `days=${q.days}`].filter(Boolean).join(' ');
  return [
    `${prefix} Sluice ${what} — ${meta.tier} tier${meta.delaySeconds ? ` (delayed ${meta.delaySeconds} s)` : ''}`,
    `${prefix} ${commentSafe(filters)}`,
    `${prefix} Last modified ${meta.lastModified.toISOString()}${meta.truncated ? ' (truncated: only the most recently seen indicators)' : ''}`,
    `${prefix} ${commentSafe(meta.baseUrl)}/api/v1/exports`, // the list of exports, parameters and tiers
  ];
}

/**
 * A Response Policy Zone (BIND, Unbound, Knot Resolver, PowerDNS): each domain and its subdomains
 * answer NXDOMAIN (`CNAME .`). Names are relative to the zone's origin, escaped by zoneName.
 */
export function toRpz(rows: ExportRow[], meta: ExportMeta): string {
  const serial = Math.floor(meta.lastModified.getTime() / 1000) % 4_294_967_296;
  const lines = [
    ...header(meta, ';', 'response policy zone'),
    '$TTL 300',
    `@ IN SOA localhost. hostmaster.localhost. ${serial} 3600 600 86400 300`,
    '@ IN NS localhost.',
  ];
  for (const r of rows) {
    if (r.type !== 'domain') continue;
    const name = zoneName(r.value);
    if (!name) continue;
    lines.push(`${name} CNAME .`, `*.${name} CNAME .`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Suricata (5+) or Snort (2.9/3) rules: one alert per IP address or network (both directions), and
 * per domain (a DNS query for it or a subdomain). sid = SID_BASE + the indicator's id.
 */
export function toRules(rows: ExportRow[], meta: ExportMeta, engine: 'suricata' | 'snort'): string {
  const lines = header(meta, '#', `${engine} rules`);
  for (const r of rows) {
    const sid = SID_BASE + r.id;
    if (sid > SID_MAX) continue;
    const tags = r.tags.length ? ` [${r.tags.join(',')}]` : '';
    const msg = ruleMsg(`SLUICE ${r.type} ${r.value}${tags}`);
    const tail = `classtype:trojan-activity; priority:${r.confidence >= 80 ? 1 : r.confidence >= 50 ? 2 : 3}; sid:${sid}; rev:1;`;
    if (r.type === 'ipv4' || r.type === 'ipv6' || r.type === 'cidr') {
      const addr = ruleAddress(r.value);
      if (!addr) continue;
      lines.push(`alert ip $HOME_NET any <> [${addr}] any (msg:"${msg}"; ${tail})`);
    } else if (r.type === 'domain') {
      if (engine === 'suricata') {
        if (!zoneName(r.value)) continue;
        lines.push(`alert dns $HOME_NET any -> any any (msg:"${msg}"; dns.query; dotprefix; content:"${ruleContent('.' + r.value)}"; nocase; endswith; ${tail})`);
      } else {
        const wire = dnsWireContent(r.value);
        if (!wire) continue;
        lines.push(`alert udp $HOME_NET any -> any 53 (msg:"${msg}"; content:"${wire}"; nocase; ${tail})`);
      }
    }
  }
  return lines.join('\n') + '\n';
}
