// Ending a stream from the server side: tell the client why and from where to resume, then close.
import type { Logger } from '../../lib/logger';
import type { StreamEndReason } from '../../lib/realtime/protocol';
import { gatewayMetrics } from '../metrics';
import type { FirehoseSocket } from './types';

export type EndStream = (socket: FirehoseSocket, reason: StreamEndReason, message: string) => void;

export function createStreamEnder(logger: Logger): EndStream {
  return (socket, reason, message) => {
    if (socket.data.ending) return;
    socket.data.ending = true;
    if (reason === 'slow_consumer') gatewayMetrics.slowConsumerDisconnects.inc();
    logger.info({ tokenPrefix: socket.data.auth?.prefix, reason }, 'ending stream');
    socket.emit('stream:ended', { reason, message, cursor: socket.data.lastCursor });
    socket.disconnect(true);
    if (reason === 'slow_consumer') {
      // A client that stopped reading never completes a close handshake: drop its connection
      // (and what is queued for it) after a grace period, so its buffers are released.
      const conn = socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } };
      setTimeout(() => conn.transport?.socket?.terminate?.(), 2000).unref();
    }
  };
}
