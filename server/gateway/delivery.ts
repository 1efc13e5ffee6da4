// Which events have reached the connection rather than engine.io's write buffer. A slow consumer
// is cut by dropping that buffer (see end-stream.ts), so the cursor it is told to resume from must
// be the last one actually handed to the transport, not the last one emitted.
export const INDICATORS_PACKET_PREFIX = (namespace: string) => `2${namespace},["indicators"`;

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
