// An admitted firehose stream does not keep its HTTP upgrade request (server/gateway/upgrade-request.ts):
// the request is replaced by the few fields socket.io reads again, the upgrade response's `close`
// listener is gone from the TCP socket, and the stream, its headers and a /public namespace opened
// later on the same connection work as before.
import { IncomingMessage } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as connect } from 'socket.io-client';
import type { Socket as ServerSocket } from 'socket.io';
import { collect, connected, startGatewayHarness, until, type GatewayHarness } from '../../helpers/gateway-harness';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness({}, { STREAMS_PER_TOKEN: '0' });
});
afterAll(async () => h?.close());

const serverSocket = (namespace: string, id: string | undefined) => h.io.of(namespace).sockets.get(id ?? '') as ServerSocket | undefined;

describe('the upgrade request of an admitted stream', () => {
  it('is not kept; the stream, its headers and a later namespace on the same connection work', async () => {
    const { token } = await h.makeToken();
    // The request engine.io saw, weakly: once released it must be collectable (whatever shape
    // engine.io's own references to it take in a later version).
    let upgradeRequest: WeakRef<IncomingMessage> | undefined;
    const onConnection = (conn: { request: IncomingMessage }) => (upgradeRequest = new WeakRef(conn.request));
    h.io.engine.on('connection', onConnection);
    const client = h.client({ token }, { extraHeaders: { 'x-forwarded-for': '198.51.100.7', 'user-agent': 'upgrade-request-test', origin: 'http://example.test' } });
    const sink = collect(client);
    await connected(client);
    const socket = serverSocket('/firehose', client.id)!;
    expect(socket).toBeDefined();

    const request = socket.conn.request as unknown;
    expect(request instanceof IncomingMessage).toBe(false);
    expect(socket.conn.request.headers).toEqual({ 'x-forwarded-for': '198.51.100.7', origin: 'http://example.test' });
    expect(socket.handshake.headers).toEqual({ 'x-forwarded-for': '198.51.100.7', origin: 'http://example.test' });
    // The TCP socket no longer carries engine.io's upgrade-response listener (it held the request).
    const tcp = (socket.conn as unknown as { transport: { socket: { _socket: import('node:net').Socket } } }).transport.socket._socket;
    const closeListeners = (tcp.rawListeners('close') as { listener?: () => void }[]).map((l) => String(l.listener ?? l));
    expect(closeListeners.some((source) => source.includes('this.emit("close")'))).toBe(false);

    h.io.engine.off('connection', onConnection);
    expect(upgradeRequest?.deref()).toBeDefined();
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    await until(() => {
      gc();
      return upgradeRequest!.deref() === undefined;
    }, 10_000, 'the upgrade request to be collected');

    const events = await h.append(3);
    await until(() => sink.events.length === 3, 10_000, 'the three events');
    expect(sink.events.map((e) => e.cursor)).toEqual(events.map((e) => e.cursor));

    // /public on the same connection (socket.io multiplexes one Manager): its handshake reads the
    // stand-in request, with the forwarded address and origin.
    const viewer = connect(`${h.url}/public`, { transports: ['websocket'], reconnection: false, extraHeaders: { 'x-forwarded-for': 'ignored: same connection' } });
    try {
      await new Promise<void>((resolve, reject) => {
        viewer.once('connect', () => resolve());
        viewer.once('connect_error', reject);
      });
      expect(viewer.io).toBe(client.io);
      const publicSocket = serverSocket('/public', viewer.id)!;
      expect(publicSocket.handshake.headers['x-forwarded-for']).toBe('198.51.100.7');
      expect(publicSocket.handshake.xdomain).toBe(true);
      expect(publicSocket.conn).toBe(socket.conn);
    } finally {
      viewer.disconnect();
    }
    client.disconnect();
  });
});
