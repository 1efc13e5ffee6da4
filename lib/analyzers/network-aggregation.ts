// Network aggregation: a /24 (IPv4) or /48 (IPv6) in which HOT_NETWORK_MIN_ADDRESSES or more distinct
// addresses were publicly reported within HOT_NETWORK_WINDOW_HOURS, by HOT_NETWORK_MIN_REPORTERS or
// more distinct reporters, becomes a cidr indicator in the system feed "hot-networks" (once per
// window). Public sightings outside system feeds only. Reporters, not rows: one account sweeping a
// /24 never makes it hot (docs/trust.md).
import { formatIP, maskBytes, parseIP } from '../indicators/net';
import { publishOnce } from './marks';
import type { Analyzer, AnalyzerContext, AnalyzerInput, Finding } from './types';

/** The /24 or /48 of an address, as a cidr value, or null for anything else. */
export function networkOf(input: Pick<AnalyzerInput, 'type' | 'value'>): string | null {
  if (input.type !== 'ipv4' && input.type !== 'ipv6') return null;
  const ip = parseIP(input.value);
  if (!ip) return null;
  const prefix = ip.version === 4 ? 24 : 48;
  return `${formatIP({ version: ip.version, bytes: maskBytes(ip.bytes, prefix) })}/${prefix}`;
}

const collationChecks = new WeakMap<object, Promise<boolean>>();

/** Whether the database sorts text in byte order (C, POSIX, C.UTF-8), making prefix ranges exact. */
function hasByteOrderCollation(sql: AnalyzerContext['sql']): Promise<boolean> {
  let check = collationChecks.get(sql);
  if (!check) {
    check = sql
      .query<{ c: string }>(`SELECT datcollate AS c FROM pg_database WHERE datname = current_database()`)
      .then((rows) => /^(C|POSIX|C\.utf-?8)$/i.test(rows[0]?.c ?? ''), () => false);
    collationChecks.set(sql, check);
  }
  return check;
}

export const networkAggregationAnalyzer: Analyzer = {
  name: 'network-aggregation',
  async analyze(inputs, ctx) {
    const now = ctx.now();
    const hours = ctx.config.HOT_NETWORK_WINDOW_HOURS;
    const since = new Date(now - hours * 3_600_000).toISOString();
    const networks = new Map<string, 'ipv4' | 'ipv6'>();
    for (const input of inputs) {
      const net = networkOf(input);
      if (net) networks.set(net, input.type as 'ipv4' | 'ipv6');
    }
    const hot = new Map<string, number>();
    const counts = new Map<string, { n: number; r: number }>();
    // IPv4 /24s are counted in one statement through the (type, value) index; IPv6 /48s are
    // filtered from recently seen indicators by inet containment (one statement per /48).
    const v4 = [...networks].filter(([, type]) => type === 'ipv4').map(([net]) => net);
    if (v4.length) {
      // A lateral subquery per candidate address, not a join: the planner would hash-join every
      // sighting; this is one index probe (indicator_id, reported_at) per address, returning its
      // distinct recent public reporters.
      const recent = `CROSS JOIN LATERAL (SELECT DISTINCT s.reporter_id FROM sightings s JOIN feeds f ON f.id = s.feed_id
                       WHERE s.indicator_id = i.id AND s.is_public AND NOT f.is_system AND s.reported_at > $2) r`;
      const rows = (await hasByteOrderCollation(ctx.sql))
        ? // "a.b.c." <= value < "a.b.c/" is exactly the /24 in byte order: one index range scan each.
          await ctx.sql.query<{ net: string; n: number; r: number }>(
            `SELECT x.n AS net, count(DISTINCT i.id)::int AS n, count(DISTINCT r.reporter_id)::int AS r
             FROM jsonb_to_recordset($1::jsonb) AS x(n text, lo text, hi text)
             JOIN indicators i ON i.type = 'ipv4' AND i.value >= x.lo AND i.value < x.hi
             ${recent} GROUP BY x.n`,
            [JSON.stringify(v4.map((net) => ({ n: net, lo: net.replace(/0\/24$/, ''), hi: net.replace(/\.0\/24$/, '/') }))), since],
          )
        : // Other collations ignore punctuation: look the 256 candidate values up instead.
          await ctx.sql.query<{ net: string; n: number; r: number }>(
            `SELECT x.n AS net, count(DISTINCT i.id)::int AS n, count(DISTINCT r.reporter_id)::int AS r
             FROM jsonb_to_recordset($1::jsonb) AS x(n text, a text)
             JOIN indicators i ON i.type = 'ipv4' AND i.value = x.a
             ${recent} GROUP BY x.n`,
            [JSON.stringify(v4.flatMap((net) => Array.from({ length: 256 }, (_, k) => ({ n: net, a: net.replace(/\.0\/24$/, `.${k}`) })))), since],
          );
      for (const row of rows) counts.set(row.net, { n: row.n, r: row.r });
    }
    for (const [net, type] of networks) {
      if (type !== 'ipv6') continue;
      const [row] = await ctx.sql.query<{ n: number; r: number }>(
        `SELECT count(DISTINCT i.id)::int AS n, count(DISTINCT r.reporter_id)::int AS r FROM indicators i
         CROSS JOIN LATERAL (SELECT DISTINCT s.reporter_id FROM sightings s JOIN feeds f ON f.id = s.feed_id
                WHERE s.indicator_id = i.id AND s.is_public AND NOT f.is_system AND s.reported_at > $2) r
         WHERE i.type = 'ipv6' AND i.public_last_seen > $2 AND i.value::inet << $1::inet`,
        [net, since],
      );
      counts.set(net, { n: row?.n ?? 0, r: row?.r ?? 0 });
    }
    for (const [net, { n, r }] of counts) {
      if (n < ctx.config.HOT_NETWORK_MIN_ADDRESSES || r < ctx.config.HOT_NETWORK_MIN_REPORTERS) continue;
      hot.set(net, n);
      const description = `${n} distinct addresses reported by ${r} distinct reporters within ${hours} h`;
      await publishOnce(ctx.sql, { analyzer: 'hot-network', key: net, at: new Date(now), notBefore: new Date(now - hours * 3_600_000) }, () =>
        ctx.publish('hot-networks', [{ value: net, type: 'cidr', tags: ['hot-network'], description }]),
      );
    }
    return inputs.map((input): Finding[] => {
      const net = networkOf(input);
      const n = net ? hot.get(net) : undefined;
      if (!net || n === undefined) return [];
      return [
        {
          analyzer: 'network-aggregation',
          kind: 'hot-network',
          summary: `in hot network ${net}: ${n} distinct addresses reported within ${hours} h`,
          related: [{ type: 'cidr', value: net, relation: 'network' }],
          data: { addresses: n, windowHours: hours },
          at: new Date(now).toISOString(),
        },
      ];
    });
  },
};
