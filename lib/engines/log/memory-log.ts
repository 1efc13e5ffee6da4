// In-memory firehose log for embedded, single-node mode. Same contract as the Redis Stream log.
import { EventEmitter } from 'node:events';
import { compareCursors, type FirehoseLog, type LogBounds, type LogEntry, type LogRetention, type LogTail } from './types';

interface StoredEntry extends LogEntry {
  ms: number;
}

export class MemoryLog implements FirehoseLog {
  readonly kind = 'memory' as const;
  private entries: StoredEntry[] = [];
  /** Index of the first live entry: trimming advances it and compacts now and then. */
  private start = 0;
  private lastMs = 0;
  private lastSeq = 0;
  private trimmedThrough: string | null = null;
  private readonly appended = new EventEmitter();

  constructor(private readonly retention: LogRetention) {
    this.appended.setMaxListeners(0);
  }

  async append(events: string[]): Promise<string[]> {
    const cursors: string[] = [];
    for (const data of events) {
      const now = Date.now();
      if (now > this.lastMs) {
        this.lastMs = now;
        this.lastSeq = 0;
      } else {
        this.lastSeq += 1;
      }
      const cursor = `${this.lastMs}-${this.lastSeq}`;
      this.entries.push({ cursor, data, ms: this.lastMs });
      cursors.push(cursor);
    }
    if (this.entries.length - this.start > this.retention.maxLength) this.trimTo(this.entries.length - this.retention.maxLength);
    if (cursors.length) this.appended.emit('append');
    return cursors;
  }

  /** Index of the first live entry whose cursor is greater than `after`. */
  private indexAfter(after: string | null): number {
    if (after === null) return this.start;
    let lo = this.start;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCursors(this.entries[mid].cursor, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async read(after: string | null, limit: number): Promise<LogEntry[]> {
    const from = this.indexAfter(after);
    return this.entries.slice(from, from + limit).map(({ cursor, data }) => ({ cursor, data }));
  }

  async bounds(): Promise<LogBounds> {
    const live = this.entries.length > this.start;
    return {
      oldest: live ? this.entries[this.start].cursor : null,
      head: this.lastMs ? `${this.lastMs}-${this.lastSeq}` : null,
      trimmedThrough: this.trimmedThrough,
    };
  }

  async tail(after: string | null, onEntries: (entries: LogEntry[]) => void | Promise<void>): Promise<LogTail> {
    let position = after ?? (await this.bounds()).head;
    let stopped = false;
    let draining = false;
    const drain = async () => {
      if (draining || stopped) return;
      draining = true;
      try {
        for (;;) {
          const batch = await this.read(position, 1000);
          if (!batch.length || stopped) break;
          position = batch[batch.length - 1].cursor;
          await onEntries(batch);
        }
      } finally {
        draining = false;
      }
    };
    const listener = () => void drain();
    this.appended.on('append', listener);
    void drain();
    return {
      stop: async () => {
        stopped = true;
        this.appended.off('append', listener);
      },
    };
  }

  private trimTo(index: number) {
    if (index <= this.start) return;
    this.trimmedThrough = this.entries[index - 1].cursor;
    this.start = index;
    // Compact once the dead prefix dominates, so memory stays proportional to what is retained.
    if (this.start > 4096 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  async trim(now: number = Date.now()): Promise<void> {
    const minMs = now - this.retention.maxAgeMs;
    let index = this.start;
    while (index < this.entries.length && this.entries[index].ms < minMs) index += 1;
    this.trimTo(Math.max(index, this.entries.length - this.retention.maxLength));
  }

  async close(): Promise<void> {
    this.appended.removeAllListeners();
  }
}
