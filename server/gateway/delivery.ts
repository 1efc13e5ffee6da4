// Which events have reached the connection rather than engine.io's write buffer. A slow consumer
// is cut by dropping that buffer (see end-stream.ts), so the cursor it is told to resume from must
// be the last one actually handed to the transport, not the last one emitted.
import { FIREHOSE_NAMESPACE } from '../../lib/realtime/protocol';
import type { FirehoseSocket, SocketData } from './types';

/** How socket.io encodes an `indicators` event on /firehose (before engine.io's type prefix). */
const INDICATORS_PACKET = `2${FIREHOSE_NAMESPACE},["indicators"`;

export class DeliveredCursor {
  /** Cursors waiting in engine.io's write buffer, oldest first; `packet: false` for a replay advance. */
  private pending: { cursor: string; packet: boolean }[] = [];

  constructor(
    /** The newest cursor handed to the transport (or the resume point before any). */
    public handed: string | null,
  ) {}

  /** An `indicators` frame ending at `cursor` went into the write buffer. */
  queued(cursor: string): void {
    this.pending.push({ cursor, packet: true });
  }

  /** The replay moved past filtered-out events: handed once the frames before it are. */
  advanced(cursor: string): void {
    if (this.pending.length) this.pending.push({ cursor, packet: false });
    else this.handed = cursor;
  }

  /** engine.io handed `frames` indicators packets to the transport. */
  flushed(frames: number): void {
    let left = frames;
    while (this.pending.length && (left > 0 || !this.pending[0].packet)) {
      const next = this.pending.shift()!;
      if (next.packet) left -= 1;
      this.handed = next.cursor;
    }
  }

  /** Some cursor is waiting for engine.io to flush. */
  get waiting(): boolean {
    return this.pending.length > 0;
  }

  /** Everything still waiting in the write buffer was dropped. */
  dropped(): void {
    this.pending = [];
  }
}

/**
 * An `indicators` frame is about to be written to this socket (a room frame or a replay frame):
 * call before the emit, which may hand it to the transport at once. Also counts its usage.
 */
export function frameQueued(data: Pick<SocketData, 'lastCursor' | 'delivered' | 'usage'>, frame: readonly { cursor: string }[]): void {
  const cursor = frame[frame.length - 1].cursor;
  data.lastCursor = cursor;
  data.delivered.queued(cursor);
  data.usage?.delivered(frame.length);
}

/**
 * Follows what engine.io hands to the transport, for every socket of this server with one listener
 * (not a closure per socket): `delivered` advances as the write buffer is flushed.
 */
export function trackDeliveries(engine: { on(event: 'flush', listener: (conn: object, packets: { data?: unknown }[]) => void): unknown }): {
  track(socket: FirehoseSocket): void;
} {
  const cursors = new WeakMap<object, DeliveredCursor>();
  engine.on('flush', (conn, packets) => {
    const delivered = cursors.get(conn);
    if (!delivered?.waiting) return;
    let frames = 0;
    for (const packet of packets) if (typeof packet.data === 'string' && packet.data.startsWith(INDICATORS_PACKET)) frames += 1;
    if (frames) delivered.flushed(frames);
  });
  return {
    track(socket) {
      cursors.set(socket.conn, socket.data.delivered);
    },
  };
}
