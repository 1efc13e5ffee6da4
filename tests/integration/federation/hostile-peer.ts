// A hostile Sluice peer for the federation tests: a socket.io server in the test process that speaks
// the firehose protocol a link follows (namespace /firehose, `indicators` frames, `since` resume,
// the `peer:introductions` request) and sends whatever a test scripts — hostile values, forged
// origins, frames no real instance would send. The follower under test is a real instance.
import { createServer, type Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import { freePort } from '../../helpers/free-port';

export interface PeerHandshake {
  token?: string;
  since?: string;
  peer?: { instance?: string };
}

export class HostilePeer {
  readonly url: string;
  /** Frames in the order published; a resuming follower gets every frame after its `since`. */
  private readonly log: { cursor: number; events: object[] }[] = [];
  private next = 1;
  readonly handshakes: PeerHandshake[] = [];
  readonly sockets = new Set<Socket>();
  /** What `peer:introductions` answers (a function: a fresh answer per request). */
  introductions: () => unknown[] = () => [];
  /** Disconnect the follower right after answering an introductions request (forces reconnections). */
  dropAfterIntroductions = false;
  introductionRequests = 0;

  private constructor(
    private readonly http: HttpServer,
    private readonly io: Server,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  static async start(): Promise<HostilePeer> {
    const port = await freePort();
    const http = createServer();
    const io = new Server(http, { transports: ['websocket'] });
    const peer = new HostilePeer(http, io, port);
    io.of('/firehose').on('connection', (socket) => {
      const auth = socket.handshake.auth as PeerHandshake;
      peer.handshakes.push(auth);
      peer.sockets.add(socket);
      socket.on('disconnect', () => peer.sockets.delete(socket));
      socket.on('peer:introductions', (_req: unknown, ack?: (answer: unknown) => void) => {
        peer.introductionRequests += 1;
        ack?.({ data: { instance: '00000000-0000-4000-8000-00000000beef', peers: peer.introductions() } });
        if (peer.dropAfterIntroductions) setTimeout(() => socket.disconnect(true), 50);
      });
      const since = Number(String(auth.since ?? '').split('-')[1]) || 0;
      for (const frame of peer.log) if (frame.cursor > since) socket.emit('indicators', frame.events);
    });
    await new Promise<void>((resolve) => http.listen(port, '127.0.0.1', resolve));
    return peer;
  }

  /** The follower's instance id, as its link said in the handshake. */
  get followerInstance(): string | undefined {
    return this.handshakes.find((h) => h.peer?.instance)?.peer?.instance;
  }

  /**
   * Publishes one frame: each event gets the next cursor (unless it carries its own); kept for
   * followers that resume, unless `live` (sent once to who is connected now).
   */
  publish(events: object[], { live = false } = {}): void {
    // Cursors in a Sluice log's format (epoch-position); an event may bring its own (a hostile one).
    const stamped = events.map((e) => ('cursor' in e ? e : { ...e, cursor: `1-${this.next++}` }));
    if (!live) this.log.push({ cursor: this.next - 1, events: stamped });
    for (const socket of this.sockets) socket.emit('indicators', stamped);
  }

  /** Ends every follower's connection (they reconnect by themselves). */
  dropAll(): void {
    for (const socket of this.sockets) socket.disconnect(true);
  }

  async stop(): Promise<void> {
    this.io.close();
    this.http.closeAllConnections();
    await new Promise((resolve) => this.http.close(resolve));
  }
}
