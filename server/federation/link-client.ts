// One peer link, run by the node holding its lease: subscribes to the remote firehose over the
// public socket.io protocol (like any client), applies each frame through lib/federation/receive
// in order, and resumes from the cursor stored after the last applied frame. Reconnects with
// backoff; a frame that fails is not skipped (the stream is dropped and replayed from the cursor).
// Discovery: on each connection and every gossip period, asks the peer which peers it introduces.
import { io, type Socket } from 'socket.io-client';
import type { FirehoseEvent } from '../../lib/events';
import { applyPeerBatch, LeaseLostError, type ReceiveDeps, type ReceivingLink } from '../../lib/federation/receive';
import type { SharingRules } from '../../lib/federation/rules';
import type { Logger } from '../../lib/logger';
import { FIREHOSE_NAMESPACE, INTRODUCTIONS_EVENT, type ConnectErrorData, type StreamEnded, type StreamFilters } from '../../lib/realtime/protocol';

/**
 * The largest frame a link takes from a peer (websocket message, bytes): a real instance's frames
 * are at most ~256 kB live and ~5 MB in a backfill (1,000 events of the longest values). A larger
 * message closes the connection before it is parsed; the link reconnects from its cursor.
 */
export const MAX_PEER_FRAME_BYTES = 8 * 1024 * 1024;

export interface LinkClientOptions {
  /** @default 500 */
  minBackoffMs?: number;
  /** @default 30000 */
  maxBackoffMs?: number;
  /** Frames waiting to be applied before the stream is dropped and resumed later. @default 50 */
  maxPendingFrames?: number;
  /** How often the peer is asked for the peers it introduces (and on each connection). @default 300000 */
  gossipMs?: number;
}

export interface LinkSpec extends ReceivingLink {
  url: string;
  token: string;
  cursor: string | null;
  inboundRules: SharingRules;
}

export class LinkClient {
  private socket: Socket | null = null;
  private cursor: string | null;
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  /** Bumped on every (re)connection: frames of an abandoned connection are not applied. */
  private generation = 0;
  private failures = 0;
  private retry: NodeJS.Timeout | null = null;
  private gossip: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly minBackoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly maxPendingFrames: number;
  private readonly gossipMs: number;

  constructor(
    private readonly spec: LinkSpec,
    private readonly deps: ReceiveDeps & {
      logger: Logger;
      /** Records the link's state for /admin (best effort). */
      report(state: { connected: boolean; error?: string }): Promise<void>;
      onLeaseLost(): void;
      /** The peers the remote introduces (unvalidated: lib/federation/discovery screens them). */
      onIntroductions?(peers: unknown[]): Promise<void>;
    },
    options: LinkClientOptions = {},
  ) {
    this.cursor = spec.cursor;
    this.minBackoffMs = options.minBackoffMs ?? 500;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.maxPendingFrames = options.maxPendingFrames ?? 50;
    this.gossipMs = options.gossipMs ?? 300_000;
  }

  get name() {
    return this.spec.name;
  }

  start(): void {
    this.connect();
  }

  /** Inbound rules the remote can apply for us (types, tags, confidence); all are applied here again. */
  private streamFilters(): StreamFilters {
    const r = this.spec.inboundRules;
    return {
      ...(r.types?.length ? { types: r.types } : {}),
      ...(r.tags?.length ? { tags: r.tags } : {}),
      ...(r.minConfidence ? { minConfidence: r.minConfidence } : {}),
    };
  }

  private connect(): void {
    if (this.stopped) return;
    const generation = ++this.generation;
    const url = `${this.spec.url}${FIREHOSE_NAMESPACE}`;
    // maxPayload reaches ws (engine.io-client passes it on) though socket.io-client's type omits it.
    const options: Parameters<typeof io>[1] & { maxPayload: number } = {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      timeout: 10_000,
      // ws's own default is 100 MiB, and up to maxPendingFrames of them could wait to be applied.
      maxPayload: MAX_PEER_FRAME_BYTES,
      auth: (cb) => cb({ token: this.spec.token, since: this.cursor ?? undefined, filters: this.streamFilters(), peer: { instance: this.deps.localInstance } }),
    };
    const socket = io(url, options);
    this.socket = socket;
    socket.on('connect', () => {
      this.deps.logger.info({ link: this.spec.name, since: this.cursor }, 'peer link connected');
      this.failures = 0;
      void this.deps.report({ connected: true });
      this.askIntroductions(socket, generation);
    });
    socket.on('indicators', (events: FirehoseEvent[]) => {
      if (generation !== this.generation || !Array.isArray(events)) return;
      if (++this.pending > this.maxPendingFrames) {
        // Applying is slower than the remote sends: resume later from the last applied cursor.
        this.fail(generation, 'receiving faster than this instance can apply; resuming from the cursor');
        return;
      }
      this.chain = this.chain.then(() => this.apply(generation, events));
    });
    socket.on('connect_error', (error: Error & { data?: ConnectErrorData }) => {
      const data = error.data;
      if (data?.code === 'cursor_expired') {
        // The remote no longer keeps events after our cursor: what it dropped cannot be had; go on from its oldest.
        this.deps.logger.error({ link: this.spec.name, cursor: this.cursor, oldest: data.oldest }, 'peer cursor expired: events were lost');
        this.cursor = data.oldest ?? null;
      }
      this.fail(generation, data ? `${data.code}: ${data.message}` : `cannot connect: ${error.message}`);
    });
    socket.on('stream:ended', (info: StreamEnded) => {
      this.deps.logger.info({ link: this.spec.name, reason: info.reason }, 'peer stream ended');
    });
    socket.on('disconnect', (reason) => {
      if (generation === this.generation && !this.stopped) this.fail(generation, `disconnected: ${reason}`);
    });
  }

  /** Asks the peer which peers it introduces, now and every gossip period while this connection lasts. */
  private askIntroductions(socket: Socket, generation: number): void {
    const onIntroductions = this.deps.onIntroductions;
    if (!onIntroductions) return;
    if (this.gossip) clearTimeout(this.gossip);
    const ask = async () => {
      if (generation !== this.generation || this.stopped) return;
      try {
        // A peer of an older version never answers: the timeout ends the question.
        const answer = (await socket.timeout(10_000).emitWithAck(INTRODUCTIONS_EVENT, {})) as { data?: { peers?: unknown } } | undefined;
        const peers = answer?.data?.peers;
        if (Array.isArray(peers) && generation === this.generation && !this.stopped) await onIntroductions(peers);
      } catch (error) {
        this.deps.logger.debug({ err: error, link: this.spec.name }, 'the peer did not answer the introductions request');
      }
      if (generation === this.generation && !this.stopped) this.gossip = setTimeout(() => void ask(), this.gossipMs);
    };
    void ask();
  }

  private async apply(generation: number, events: FirehoseEvent[]): Promise<void> {
    this.pending -= 1;
    if (generation !== this.generation || this.stopped) return;
    try {
      const outcome = await applyPeerBatch(this.deps, this.spec, events);
      if (generation !== this.generation) return;
      if (outcome.cursor) this.cursor = outcome.cursor;
      this.failures = 0;
    } catch (error) {
      if (error instanceof LeaseLostError) {
        this.deps.logger.warn({ link: this.spec.name }, error.message);
        this.deps.onLeaseLost();
        return;
      }
      this.deps.logger.error({ err: error, link: this.spec.name }, 'could not apply a frame from a peer; resuming from the last applied cursor');
      this.fail(generation, `could not apply events: ${(error as Error).message}`);
    }
  }

  /** Drops this connection (its pending frames are not applied) and reconnects after a backoff. */
  private fail(generation: number, message: string): void {
    if (generation !== this.generation || this.stopped) return;
    this.generation += 1; // frames of the dropped connection are ignored from now on
    this.pending = 0;
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    this.failures += 1;
    const delay = Math.min(this.maxBackoffMs, this.minBackoffMs * 2 ** Math.min(this.failures - 1, 16)) * (0.75 + Math.random() * 0.5);
    if (this.failures === 1) this.deps.logger.warn({ link: this.spec.name, message }, 'peer link interrupted; reconnecting with backoff');
    void this.deps.report({ connected: false, error: message });
    this.retry = setTimeout(() => {
      this.retry = null;
      // Reconnect only once the frames already being applied are done: `since` is then exact.
      void this.chain.then(() => this.connect());
    }, delay);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.generation += 1;
    if (this.retry) clearTimeout(this.retry);
    if (this.gossip) clearTimeout(this.gossip);
    this.socket?.removeAllListeners();
    this.socket?.disconnect();
    this.socket = null;
    await this.chain.catch(() => undefined);
  }
}
