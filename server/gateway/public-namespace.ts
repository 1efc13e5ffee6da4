// The /public namespace for the threats page: tokenless, read-only, no filters, no resume, a few
// connections per address. The dispatcher writes its (delayed, capped) frames.
import type { Namespace } from 'socket.io';
import { gatewayMetrics } from '../metrics';
import { refusal } from './refusal';

export interface PublicNamespaceOptions {
  /** Public sockets allowed per address. @default 20 */
  connectionsPerIp?: number;
}

export function setupPublicNamespace(publicNsp: Namespace, options: PublicNamespaceOptions = {}): void {
  const perIp = new Map<string, number>();
  const limit = options.connectionsPerIp ?? 20;
  publicNsp.use((socket, next) => {
    const ip = socket.handshake.address;
    const count = perIp.get(ip) ?? 0;
    if (count >= limit) return next(refusal('rate_limited', `at most ${limit} public stream connections per address`));
    perIp.set(ip, count + 1);
    socket.once('disconnect', () => {
      const left = (perIp.get(ip) ?? 1) - 1;
      if (left <= 0) perIp.delete(ip);
      else perIp.set(ip, left);
    });
    next();
  });
  publicNsp.on('connection', (socket) => {
    gatewayMetrics.publicSockets.inc();
    // Read-only: anything the client sends is ignored.
    socket.onAny(() => undefined);
    socket.on('disconnect', () => gatewayMetrics.publicSockets.dec());
  });
}
