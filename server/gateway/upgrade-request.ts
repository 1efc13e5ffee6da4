// What an admitted firehose connection keeps of its HTTP upgrade request. engine.io keeps the
// whole request (`IncomingMessage` with its readable state, every header twice — `rawHeaders` and
// `headers` —, the query) for the connection's life: as `conn.request`, which socket.io reads when
// the client opens another namespace on the same connection, and through the `close` listener its
// upgrade response (`WebSocketResponse`, for engine.io middlewares, which Sluice does not use) put
// on the TCP socket. Once the stream is admitted, the request is replaced by the little socket.io
// still reads from it (the headers the handshakes read, url, query, whether it was encrypted), and
// that listener is removed: the `IncomingMessage` is then garbage (bench/gateway-cost.mts).
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';

/** The headers a later handshake on the same connection reads (lib/client-address, handshake.ts, socket.io's `xdomain`). */
const KEPT_HEADERS = ['authorization', 'x-forwarded-for', 'origin'] as const;

/** What socket.io's `buildHandshake` reads of `conn.request` when another namespace is opened. */
interface RequestStandIn {
  headers: Record<string, string | string[]>;
  url: string | undefined;
  _query: Record<string, string>;
  connection: { encrypted: boolean };
}

/** engine.io's upgrade response (`WebSocketResponse`) adds `socket.once("close", () => this.emit("close"))`. */
function isUpgradeResponseListener(listener: (...args: unknown[]) => unknown): boolean {
  const original = (listener as { listener?: (...args: unknown[]) => unknown }).listener;
  return typeof original === 'function' && original.name === '' && String(original).includes('this.emit("close")');
}

/**
 * Lets the upgrade request of an admitted websocket connection be collected (call once its
 * handshake has read what it needs). `socket.handshake.headers` keeps the same few headers.
 */
export function releaseUpgradeRequest(socket: Pick<Socket, 'conn' | 'handshake'>): void {
  const conn = socket.conn as unknown as { request: IncomingMessage | RequestStandIn | null; transport?: { name?: string } };
  const request = conn.request;
  // Long-polling connections go on using their requests; a stand-in is already slim.
  if (!request || conn.transport?.name !== 'websocket' || !('rawHeaders' in request)) return;
  const headers: Record<string, string | string[]> = {};
  for (const name of KEPT_HEADERS) {
    const value = request.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const tcp = request.socket as (typeof request.socket & { encrypted?: boolean }) | null;
  if (tcp) for (const listener of tcp.rawListeners('close') as ((...args: unknown[]) => unknown)[]) if (isUpgradeResponseListener(listener)) tcp.removeListener('close', listener);
  conn.request = {
    headers,
    url: request.url,
    _query: (request as IncomingMessage & { _query?: Record<string, string> })._query ?? {},
    connection: { encrypted: Boolean(tcp?.encrypted) },
  };
  socket.handshake.headers = headers as typeof socket.handshake.headers;
}
