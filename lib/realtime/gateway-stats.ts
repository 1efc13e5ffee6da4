// Gateway counters shared beyond /metrics: each gateway node reports its own every few seconds
// (Redis with a short expiry, or in-process), and the dashboard shows the sum over live nodes.
import type { Engines } from '../engines';
import { processSlot } from '../process-state';

export interface GatewayStats {
  connectedSockets: number;
  publicSockets: number;
  eventsDelivered: number;
  frames: number;
  bytes: number;
  slowConsumerDisconnects: number;
  lagSeconds: number;
}

export interface GatewayStatsSummary extends GatewayStats {
  nodes: number;
}

/** Reports older than this are from nodes that went away. */
export const STATS_TTL_SECONDS = 15;

const local = () => processSlot('gatewayStats', () => new Map<string, { stats: GatewayStats; at: number }>());

const redisKey = (engines: Engines) => `${engines.prefix}gateway:stats`;

export async function reportGatewayStats(engines: Engines, nodeId: string, stats: GatewayStats): Promise<void> {
  if (!engines.redis) {
    local().set(nodeId, { stats, at: Date.now() });
    return;
  }
  await engines.redis.hset(redisKey(engines), nodeId, JSON.stringify({ stats, at: Date.now() }));
  await engines.redis.expire(redisKey(engines), STATS_TTL_SECONDS * 4);
}

export async function readGatewayStats(engines: Engines): Promise<GatewayStatsSummary> {
  const reports: { stats: GatewayStats; at: number }[] = engines.redis
    ? Object.values(await engines.redis.hgetall(redisKey(engines))).map((raw) => JSON.parse(raw) as { stats: GatewayStats; at: number })
    : [...local().values()];
  const fresh = reports.filter((r) => Date.now() - r.at < STATS_TTL_SECONDS * 1000);
  const sum = (pick: (s: GatewayStats) => number) => fresh.reduce((total, r) => total + pick(r.stats), 0);
  return {
    nodes: fresh.length,
    connectedSockets: sum((s) => s.connectedSockets),
    publicSockets: sum((s) => s.publicSockets),
    eventsDelivered: sum((s) => s.eventsDelivered),
    frames: sum((s) => s.frames),
    bytes: sum((s) => s.bytes),
    slowConsumerDisconnects: sum((s) => s.slowConsumerDisconnects),
    lagSeconds: Math.max(0, ...fresh.map((r) => r.stats.lagSeconds)),
  };
}
