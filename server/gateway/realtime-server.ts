// The socket.io server on the shared HTTP server. With Redis, @socket.io/redis-adapter carries
// room broadcasts and disconnects across nodes; in memory mode the default adapter serves one node.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import type { Runtime } from '../../lib/runtime';

export interface RealtimeServer {
  io: Server;
  close(): Promise<void>;
}

export async function createRealtimeServer(httpServer: HttpServer, runtime: Runtime): Promise<RealtimeServer> {
  const io = new Server(httpServer, {
    // Websocket first for API clients (no sticky sessions needed); polling stays for browsers.
    transports: ['websocket', 'polling'],
    serveClient: false,
    maxHttpBufferSize: 64 * 1024,
  });
  const connections: { quit(): Promise<unknown>; disconnect(): void }[] = [];
  if (runtime.engines.redis) {
    const pub = runtime.engines.redis.duplicate();
    const sub = runtime.engines.redis.duplicate();
    pub.on('error', () => undefined);
    sub.on('error', () => undefined);
    connections.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: `${runtime.engines.prefix}socket.io` }));
  }
  return {
    io,
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => io.close(() => resolve()));
      for (const connection of connections) await connection.quit().catch(() => connection.disconnect());
    },
  };
}
