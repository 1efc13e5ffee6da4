// Ending a stream from the server side: tell the client why and from where to resume, then close.
//
// A slow consumer is the hard case: everything written to it waits behind its backlog, so a
// `stream:ended` emitted the usual way would never be read. Instead the not-yet-written frames in
// engine.io's buffer are dropped, the notice is written straight to the websocket (behind only
// what the kernel and ws already hold, at most the backpressure limit), and the websocket is
// closed with code 4008 and reason "slow_consumer", which any websocket client can read. The
// notice's cursor is the last one handed to the connection. If the client still does not read,
// the connection is dropped after a grace period so its buffers are released.
import type { Logger } from '../../lib/logger';
import type { StreamEndReason, StreamEnded } from '../../lib/realtime/protocol';
import { FIREHOSE_NAMESPACE, SLOW_CONSUMER_CLOSE_CODE } from '../../lib/realtime/protocol';
import { gatewayMetrics } from '../metrics';
import { websocketOf, type EngineInternals } from './backpressure';
import type { FirehoseSocket } from './types';

export type EndStream = (socket: FirehoseSocket, reason: StreamEndReason, message: string) => void;

/** How long a cut slow consumer has to read its backlog, the notice and the close frame. */
export const SLOW_CONSUMER_GRACE_MS = 10_000;

export function createStreamEnder(logger: Logger): EndStream {
  return (socket, reason, message) => {
    if (socket.data.ending) return;
    socket.data.ending = true;
    logger.info({ tokenPrefix: socket.data.auth?.prefix, reason }, 'ending stream');
    if (reason === 'slow_consumer') {
      gatewayMetrics.slowConsumerDisconnects.inc();
      const ws = websocketOf(socket);
      if (ws?.send && ws.close) {
        const notice: StreamEnded = { reason, message, cursor: socket.data.delivered.handed };
        // Leave the namespace (rooms, slot) at once, then drop what it never got to write.
        socket.disconnect(false);
        const conn = socket.conn as unknown as EngineInternals;
        if (conn.writeBuffer) conn.writeBuffer.length = 0;
        socket.data.delivered.dropped();
        try {
          ws.send(`42${FIREHOSE_NAMESPACE},${JSON.stringify(['stream:ended', notice])}`);
          ws.close(SLOW_CONSUMER_CLOSE_CODE, 'slow_consumer');
        } catch (error) {
          logger.debug({ err: error }, 'could not send the slow_consumer notice');
        }
        setTimeout(() => ws.terminate?.(), SLOW_CONSUMER_GRACE_MS).unref();
        return;
      }
    }
    socket.emit('stream:ended', { reason, message, cursor: socket.data.lastCursor });
    socket.disconnect(true);
    if (reason === 'slow_consumer') {
      // Not a websocket (long-polling): nothing can pass the backlog; drop the connection soon.
      setTimeout(() => socket.conn.close(), 2000).unref();
    }
  };
}
