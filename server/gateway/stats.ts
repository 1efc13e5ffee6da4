// This node's gateway figures, reported every few seconds for the dashboard's instance-wide sum
// (lib/realtime/gateway-stats).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Namespace } from 'socket.io';
import type { Engines } from '../../lib/engines';
import type { Logger } from '../../lib/logger';
import { reportGatewayStats } from '../../lib/realtime/gateway-stats';
import { gatewayMetrics } from '../metrics';

const value = async (metric: { get(): Promise<{ values: { value: number }[] }> }) => (await metric.get()).values[0]?.value ?? 0;

/** Starts reporting; returns the function that stops it. */
export function startStatsReporter(engines: Engines, firehose: Namespace, publicNsp: Namespace, logger: Logger, everyMs = 5000): () => void {
  const nodeId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const report = async () => {
    await reportGatewayStats(engines, nodeId, {
      connectedSockets: firehose.sockets.size,
      publicSockets: publicNsp.sockets.size,
      eventsDelivered: await value(gatewayMetrics.eventsDelivered),
      frames: await value(gatewayMetrics.frames),
      bytes: await value(gatewayMetrics.bytes),
      slowConsumerDisconnects: await value(gatewayMetrics.slowConsumerDisconnects),
      lagSeconds: await value(gatewayMetrics.lagSeconds),
    }).catch((error: unknown) => logger.debug({ err: error }, 'could not report gateway stats'));
  };
  void report();
  const timer = setInterval(() => void report(), everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
