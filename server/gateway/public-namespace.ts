// The /public namespace for the threats page: tokenless, read-only, no filters, no resume, a few
// connections per client address (lib/client-address: the rightmost X-Forwarded-For hop that is
// not a trusted proxy, per TRUST_PROXY; IPv6 by /64). The dispatcher writes its (delayed, capped) frames.
import type { Namespace } from 'socket.io';
import { addressLimitKey, clientAddress, type ProxyTrustSetting } from '../../lib/client-address';
import { gatewayMetrics } from '../metrics';
import { refusal } from './refusal';

export interface PublicNamespaceOptions {
  /** Public sockets allowed per client address. @default 20 */
  connectionsPerIp?: number;
  /** TRUST_PROXY. @default false */
  trustProxy?: ProxyTrustSetting;
}

export function setupPublicNamespace(publicNsp: Namespace, options: PublicNamespaceOptions = {}): void {
  const perIp = new Map<string, number>();
  const limit = options.connectionsPerIp ?? 20;
  publicNsp.use((socket, next) => {
    const address = clientAddress({
      remoteAddress: socket.handshake.address,
      forwardedFor: socket.handshake.headers['x-forwarded-for'],
      trust: options.trustProxy ?? false,
    });
    const key = addressLimitKey(address);
    const count = perIp.get(key) ?? 0;
    if (count >= limit) return next(refusal('rate_limited', `at most ${limit} public stream connections per address`));
    perIp.set(key, count + 1);
    let counted = true;
    const uncount = () => {
      if (!counted) return;
      counted = false;
      const left = (perIp.get(key) ?? 1) - 1;
      if (left <= 0) perIp.delete(key);
      else perIp.set(key, left);
    };
    socket.once('disconnect', uncount);
    // A client that leaves between this check and `connection` gets no `disconnect`.
    socket.conn.once('close', uncount);
    next();
  });
  publicNsp.on('connection', (socket) => {
    gatewayMetrics.publicSockets.inc();
    // Read-only: anything the client sends is ignored.
    socket.onAny(() => undefined);
    socket.on('disconnect', () => gatewayMetrics.publicSockets.dec());
  });
}
