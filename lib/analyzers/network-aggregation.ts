// Network aggregation: a /24 (IPv4) or /48 (IPv6) in which HOT_NETWORK_MIN_ADDRESSES or more distinct
// addresses were publicly reported within HOT_NETWORK_WINDOW_HOURS becomes a cidr indicator in the
// system feed "hot-networks" (once per window). Public sightings outside system feeds only.
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
    const networks = new Map<string, 'ipv4' | 'ipv6'>();
    for (const input of inputs) {
      const net = networkOf(input);
      if (net) networks.set(net, input.type as 'ipv4' | 'ipv6');
    }
    const hot = new Map<string, number>();
    for (const [net, type] of networks) {
      // IPv4: the 256 candidate values are looked up by the (type, value) index; IPv6 /48s are too
      // large to enumerate, so recent indicators are filtered by inet containment instead.
      const rows =
        type === 'ipv4'
          ? await ctx.sql.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM indicators i
               WHERE i.type = 'ipv4' AND i.value = ANY($1::text[])
                 AND EXISTS (SELECT 1 FROM sightings s JOIN feeds f ON f.id = s.feed_id
                             WHERE s.indicator_id = i.id AND s.is_public AND NOT f.is_system AND s.reported_at > $2)`,
              [Array.from({ length: 256 }, (_, k) => net.replace(/\.0\/24$/, `.${k}`)), since],
            )
          : await ctx.sql.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM indicators i
               WHERE i.type = 'ipv6' AND i.public_last_seen > $2 AND i.value::inet << $1::inet
                 AND EXISTS (SELECT 1 FROM sightings s JOIN feeds f ON f.id = s.feed_id
                             WHERE s.indicator_id = i.id AND s.is_public AND NOT f.is_system AND s.reported_at > $2)`,
              [net, since],
            );
      const n = rows[0]?.n ?? 0;
      if (n < ctx.config.HOT_NETWORK_MIN_ADDRESSES) continue;
      hot.set(net, n);
      const description = `${n} distinct addresses reported within ${hours} h`;
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
