// Each gateway node tails the firehose log once. Events are batched — at most one flush per
// `flushMs`: what arrives after a quiet spell goes out at once, what arrives within `flushMs` of the
// last flush waits for the window's end — then every distinct filter (room) on this node gets one
// frame, encoded once by socket.io for all of its sockets. `lastDispatched` marks the seam that
// resuming sockets catch up to (see catchUp).
import type { Namespace, Socket } from 'socket.io';
import type { FirehoseEvent, FirehoseEventBody } from '../../lib/events';
import { compareCursors, type FirehoseLog, type LogEntry, type LogTail } from '../../lib/engines/log/types';
import type { Logger } from '../../lib/logger';
import { toPublicStreamEvent } from '../../lib/threats/public-event';
import { gatewayMetrics } from '../metrics';
import { bufferedBytes } from './backpressure';
import { frameQueued } from './delivery';
import type { CompiledFilter } from './filters';
import type { SocketData } from './types';

export interface DispatcherOptions {
  /** Shortest time between two flushes, so the longest an event waits for its batch. @default 10 */
  flushMs: number;
  /** Flush as soon as this many events are pending. @default 1000 */
  maxBatch: number;
  /** Flush as soon as this many bytes are pending. @default 256 KiB */
  maxBatchBytes: number;
  /** Bytes a socket may have queued before it is disconnected as a slow consumer. */
  maxBufferedBytes: number;
  /** Delay of the public stream, ms. */
  publicDelayMs: number;
  /** Most events per second sent on the public stream (the rest are skipped). */
  publicMaxPerSecond: number;
}

interface RoomFilter {
  filter: CompiledFilter;
  sockets: number;
}

/** Approximate encoded size of a frame without encoding it a second time. */
function frameBytes(events: FirehoseEvent[], sizes: Map<FirehoseEvent, number>): number {
  let bytes = 16;
  for (const event of events) bytes += sizes.get(event) ?? 0;
  return bytes;
}

export class Dispatcher {
  /** Cursor of the newest event already handed to the rooms. */
  lastDispatched = '0-0';
  /** When the last batch was handed out (for the lag gauge). */
  private lastFlushAt = Date.now();
  /** The same on the monotonic clock (performance.now), for the flush window. */
  private lastFlushMono = -Infinity;
  private pending: FirehoseEvent[] = [];
  private sizes = new Map<FirehoseEvent, number>();
  private pendingBytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly rooms = new Map<string, RoomFilter>();
  private tail: LogTail | null = null;
  private publicQueue: { event: FirehoseEvent; dueAt: number }[] = [];
  private publicTimer: NodeJS.Timeout | null = null;
  private publicBudget = { second: 0, sent: 0 };
  private publicIntake = { second: 0, taken: 0 };
  private lagTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly log: FirehoseLog,
    private readonly firehose: Namespace,
    private readonly publicNsp: Namespace | null,
    private readonly options: DispatcherOptions,
    private readonly logger: Logger,
    private readonly onSlowConsumer: (socket: Socket) => void,
  ) {}

  async start(): Promise<void> {
    const { head } = await this.log.bounds();
    this.lastDispatched = head ?? '0-0';
    this.tail = await this.log.tail(head ?? '0-0', (entries) => this.receive(entries));
    this.lagTimer = setInterval(() => void this.measureLag(), 5000);
    this.lagTimer.unref();
  }

  async stop(): Promise<void> {
    await this.tail?.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.publicTimer) clearTimeout(this.publicTimer);
    if (this.lagTimer) clearInterval(this.lagTimer);
  }

  private readonly batchListeners = new Set<(batch: FirehoseEvent[]) => void>();

  /**
   * Calls `listener` with every batch, synchronously within the flush that hands it to the rooms
   * (so the replay seam holds for it too). Returns the unsubscribe function.
   */
  onBatch(listener: (batch: FirehoseEvent[]) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  /** A socket joined a room for this filter. Returns the room's compiled filter (one shared by all its sockets). */
  retain(filter: CompiledFilter): CompiledFilter {
    const room = this.rooms.get(filter.key);
    if (room) {
      room.sockets += 1;
      return room.filter;
    }
    this.rooms.set(filter.key, { filter, sockets: 1 });
    return filter;
  }

  /** Distinct filter rooms with sockets on this node. */
  get roomCount(): number {
    return this.rooms.size;
  }

  release(key: string): void {
    const room = this.rooms.get(key);
    if (!room) return;
    room.sockets -= 1;
    if (room.sockets <= 0) this.rooms.delete(key);
  }

  /** Parses one log entry into the event clients receive. */
  static toEvent(entry: LogEntry): FirehoseEvent | null {
    try {
      const body = JSON.parse(entry.data) as FirehoseEventBody;
      return { ...body, cursor: entry.cursor };
    } catch {
      return null;
    }
  }

  private receive(entries: LogEntry[]) {
    gatewayMetrics.logEventsRead.inc(entries.length);
    for (const entry of entries) {
      const event = Dispatcher.toEvent(entry);
      if (!event) {
        this.logger.warn({ cursor: entry.cursor }, 'skipping an undecodable log entry');
        continue;
      }
      const size = entry.data.length + entry.cursor.length + 14;
      this.pending.push(event);
      this.sizes.set(event, size);
      this.pendingBytes += size;
      if (this.pending.length >= this.options.maxBatch || this.pendingBytes >= this.options.maxBatchBytes) this.flush();
    }
    if (this.timer || !this.pending.length) return;
    // Leading edge: after a quiet spell the batch goes now (a lone event does not wait out a window
    // for company that is not coming); within flushMs of the last flush it waits for the window's
    // end, so a busy log still gets at most one frame per room per flushMs.
    const wait = this.lastFlushMono + this.options.flushMs - performance.now();
    if (wait <= 0) this.flush();
    else this.timer = setTimeout(() => this.flush(), wait);
  }

  private flush() {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const batch = this.pending;
    const sizes = this.sizes;
    this.pending = [];
    this.sizes = new Map();
    this.pendingBytes = 0;
    if (!batch.length) return;
    const started = performance.now();
    const adapterRooms = this.firehose.adapter.rooms;
    for (const [key, room] of this.rooms) {
      const members = adapterRooms.get(key);
      if (!members?.size) continue;
      const frame = room.filter.matchesAll ? batch : batch.filter((e) => room.filter.matches(e));
      if (!frame.length) continue;
      this.beforeWrite(members, frame);
      if (!members.size) continue;
      // `local`: every node reads the log itself, so nothing is relayed through the Redis adapter.
      this.firehose.local.to(key).emit('indicators', frame);
      gatewayMetrics.frames.inc();
      gatewayMetrics.eventsDelivered.inc(frame.length * members.size);
      gatewayMetrics.bytes.inc(frameBytes(frame, sizes) * members.size);
    }
    // Other transports (the HTTP stream) get the same batch in the same tick.
    for (const listener of this.batchListeners) {
      try {
        listener(batch);
      } catch (error) {
        this.logger.error({ err: error }, 'a batch listener failed');
      }
    }
    // Set in the same tick as the emits: a resuming socket that has sent everything up to here
    // can join its room without a gap or a duplicate.
    this.lastDispatched = batch[batch.length - 1].cursor;
    this.lastFlushAt = Date.now();
    this.lastFlushMono = started;
    if (this.publicNsp) this.queuePublic(batch);
    gatewayMetrics.flushSeconds.observe((performance.now() - started) / 1000);
  }

  /**
   * One pass over a room's sockets before its frame is written (the frame itself is encoded once,
   * by socket.io, for all of them): a socket still holding more than the limit from earlier frames
   * is a slow consumer and is cut, so its buffer stays within the limit plus one frame (frames are
   * size-capped); the others note the frame's cursor (delivery.ts), here rather than in a
   * per-socket outgoing hook.
   */
  private beforeWrite(socketIds: Set<string>, frame: FirehoseEvent[]) {
    const sockets = this.firehose.sockets as Map<string, Socket>;
    for (const id of socketIds) {
      const socket = sockets.get(id);
      if (!socket) continue;
      if (bufferedBytes(socket) > this.options.maxBufferedBytes) this.onSlowConsumer(socket);
      else frameQueued(socket.data as SocketData, frame);
    }
  }

  /** Events waiting for the public stream's delay. */
  get publicQueued(): number {
    return this.publicQueue.length;
  }

  /** Most events the public queue holds: a second's worth of the public rate per second of delay, plus one. */
  get publicQueueBound(): number {
    return this.options.publicMaxPerSecond * (Math.ceil(this.options.publicDelayMs / 1000) + 1);
  }

  private queuePublic(batch: FirehoseEvent[]) {
    // Nobody watching: nothing to hold (a viewer who arrives sees events from then on, after the delay).
    if (!this.publicNsp?.sockets.size) {
      this.publicQueue = [];
      return;
    }
    const now = Date.now();
    const dueAt = now + this.options.publicDelayMs;
    // At most publicMaxPerSecond are ever shown per second: take no more than that per second of
    // arrival, so the queue stays within publicMaxPerSecond × (delay + 1) whatever the ingest rate.
    const second = Math.floor(now / 1000);
    if (second !== this.publicIntake.second) this.publicIntake = { second, taken: 0 };
    const room = Math.min(this.options.publicMaxPerSecond - this.publicIntake.taken, this.publicQueueBound - this.publicQueue.length);
    if (room <= 0) return;
    const taken = batch.length > room ? batch.slice(batch.length - room) : batch;
    for (const event of taken) this.publicQueue.push({ event, dueAt });
    this.publicIntake.taken += taken.length;
    this.schedulePublic();
  }

  private schedulePublic() {
    if (this.publicTimer || !this.publicQueue.length) return;
    const wait = Math.max(0, this.publicQueue[0].dueAt - Date.now());
    this.publicTimer = setTimeout(() => {
      this.publicTimer = null;
      this.releasePublic();
    }, Math.max(wait, this.options.flushMs));
  }

  private releasePublic() {
    const now = Date.now();
    let due = 0;
    while (due < this.publicQueue.length && this.publicQueue[due].dueAt <= now) due += 1;
    const released = this.publicQueue.splice(0, due).map((item) => item.event);
    const second = Math.floor(now / 1000);
    if (second !== this.publicBudget.second) this.publicBudget = { second, sent: 0 };
    const room = Math.max(0, this.options.publicMaxPerSecond - this.publicBudget.sent);
    // Over the budget, the public stream shows a sample: it is a window on the firehose, not it.
    const frame = released.length > room ? released.slice(released.length - room) : released;
    if (frame.length && this.publicNsp && this.publicNsp.sockets.size) {
      // Anonymous browsers never get the owner's internal user id (lib/threats/public-event.ts).
      this.publicNsp.local.emit('indicators', frame.map(toPublicStreamEvent));
      this.publicBudget.sent += frame.length;
    }
    this.schedulePublic();
  }

  private async measureLag() {
    try {
      // Cursors are positions, not times: a node that is behind the log's head has been so since
      // (at most) its last flush.
      const { head } = await this.log.bounds();
      if (!head || compareCursors(head, this.lastDispatched) <= 0) return void gatewayMetrics.lagSeconds.set(0);
      gatewayMetrics.lagSeconds.set(Math.max(0, (Date.now() - this.lastFlushAt) / 1000));
    } catch {
      // Log unavailable: the lag gauge keeps its last value.
    }
  }
}
