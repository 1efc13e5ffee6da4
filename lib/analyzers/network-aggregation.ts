// Network aggregation: a /24 (IPv4) or /48 (IPv6) in which HOT_NETWORK_MIN_ADDRESSES or more distinct
// addresses were publicly reported within HOT_NETWORK_WINDOW_HOURS, by HOT_NETWORK_MIN_REPORTERS or
// more distinct reporters, becomes a cidr indicator in the system feed "hot-networks" (once per
// window). Public sightings outside system feeds only. Reporters, not rows: one account sweeping a
// /24 never makes it hot (docs/trust.md).
import { formatIP, maskBytes, parseIP } from '../indicators/net';
import { publishOnce } from './marks';
import type { Analyzer, AnalyzerInput, Finding } from './types';

/** The /24 or /48 of an address, as a cidr value, or null for anything else. */
export function networkOf(input: Pick<AnalyzerInput, 'type' | 'value'>): string | null {
  if (input.type !== 'ipv4' && input.type !== 'ipv6') return null;
  const ip = parseIP(input.value);
  if (!ip) return null;
  const prefix = ip.version === 4 ? 24 : 48;
  return `${formatIP({ version: ip.version, bytes: maskBytes(ip.bytes, prefix) })}/${prefix}`;
}

export const networkAggregationAnalyzer: Analyzer = {
  name: 'network-aggregation',
  async analyze(inputs, ctx) {
    const now = ctx.now();
    const hours = ctx.config.HOT_NETWORK_WINDOW_HOURS;
    const since = new Date(now - hours * 3_600_000).toISOString();
    const networks = new Set<string>();
    for (const input of inputs) {
      const net = networkOf(input);
      if (net) networks.add(net);
    }
    const hot = new Map<string, number>();
    const counts = new Map<string, { n: number; r: number }>();
    if (networks.size) {
      // One statement for the batch, whatever the size of the table: per candidate network, its
      // addresses through the network index (migration 20261201110000_ip_networks: one btree
      // equality probe) — only those whose last public sighting (the counter ingest keeps on the
      // indicator row) falls in the window. A network with fewer such addresses than the threshold
      // cannot be hot, so it stops there: most do, and their addresses' sightings are never read.
      // For the rest, per address one probe of (indicator_id, reported_at) for its distinct recent
      // public reporters. The lookups are LATERAL (OFFSET 0 keeps the first one from being
      // flattened into a join): with poor statistics the planner otherwise hashes every IP
      // indicator in the table, which is the cost that grew with the table before (bench/README.md).
      const rows = await ctx.sql.query<{ net: string; n: number; r: number }>(
        `WITH a AS MATERIALIZED (
           SELECT x.k, i.id FROM unnest($1::text[]) AS x(k)
           CROSS JOIN LATERAL (SELECT i.id FROM indicators i
                               WHERE i.type IN ('ipv4', 'ipv6') AND sluice_ip_network(i.value) = x.k::cidr AND i.public_last_seen > $2 OFFSET 0) i
         ), c AS (SELECT k FROM a GROUP BY k HAVING count(*) >= $3)
         SELECT a.k AS net, count(DISTINCT a.id)::int AS n, count(DISTINCT r.reporter_id)::int AS r
         FROM a JOIN c ON c.k = a.k
         CROSS JOIN LATERAL (SELECT DISTINCT s.reporter_id FROM sightings s JOIN feeds f ON f.id = s.feed_id
                             WHERE s.indicator_id = a.id AND s.is_public AND NOT f.is_system AND s.reported_at > $2) r
         GROUP BY a.k`,
        [[...networks].sort(), since, ctx.config.HOT_NETWORK_MIN_ADDRESSES],
      );
      for (const row of rows) counts.set(row.net, { n: row.n, r: row.r });
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
