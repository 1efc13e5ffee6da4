// The socket.io server on the shared HTTP server. Every node is self-sufficient: it tails the
// firehose log itself and writes to its own sockets (`local` emits), control messages travel
// through lib/control, and concurrent streams are counted in lib/realtime/stream-slots. So no
// socket.io adapter relays anything between nodes; the default in-memory adapter serves each.
import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Runtime } from '../../lib/runtime';

export interface RealtimeServer {
  io: Server;
  close(): Promise<void>;
}

// `runtime` is unused since the Redis adapter went; the signature stays for server/node.ts.
export async function createRealtimeServer(httpServer: HttpServer, _runtime?: Runtime): Promise<RealtimeServer> {
  const io = new Server(httpServer, {
    // Websocket first for API clients (no sticky sessions needed); polling stays for browsers.
    transports: ['websocket', 'polling'],
    serveClient: false,
    // What a client sends is small: the handshake's auth (token, cursor, filters) and `subscribe`.
    maxHttpBufferSize: 64 * 1024,
    // Said explicitly because it matters most: a deflate context per socket costs tens of KB, and
    // socket.io writes a room's frame to every socket pre-encoded (one websocket frame built per
    // room per flush) only when the connection does not compress.
    perMessageDeflate: false,
  });
  return {
    io,
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
    },
  };
}
