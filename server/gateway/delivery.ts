// Which events have reached the connection rather than engine.io's write buffer. A slow consumer
// is cut by dropping that buffer (see end-stream.ts), so the cursor it is told to resume from must
// be the last one actually handed to the transport, not the last one emitted.
import type { FirehoseEvent } from '../../lib/events';
import { FIREHOSE_NAMESPACE } from '../../lib/realtime/protocol';
import type { EngineInternals } from './backpressure';
import type { FirehoseSocket } from './types';

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

  /** Everything still waiting in the write buffer was dropped. */
  dropped(): void {
    this.pending = [];
  }
}

/**
 * Follows a socket's frames: `lastCursor` on every outgoing frame (room frames included), and
 * `delivered` as engine.io hands its buffer to the transport.
 */
export function trackDelivery(socket: FirehoseSocket): void {
  socket.onAnyOutgoing((event: string, ...args: unknown[]) => {
    const frame = args[0] as FirehoseEvent[];
    if (event === 'indicators' && frame.length) {
      socket.data.lastCursor = frame[frame.length - 1].cursor;
      socket.data.delivered.queued(socket.data.lastCursor);
    }
  });
  (socket.conn as unknown as EngineInternals).on?.('flush', (packets) => {
    let frames = 0;
    for (const packet of packets) if (typeof packet.data === 'string' && packet.data.startsWith(INDICATORS_PACKET)) frames += 1;
    if (frames) socket.data.delivered.flushed(frames);
  });
}
