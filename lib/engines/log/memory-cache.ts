// The in-memory fast copy of the log's tail for embedded, single-node mode: a bounded ring, so the
// heap holds at most `maxLength` events however long the retention window is (PostgreSQL has them).
import { EventEmitter } from 'node:events';
import { compareCursors, type LogCache, type LogEntry } from './types';

export class MemoryCache implements LogCache {
  readonly kind = 'memory' as const;
  private entries: LogEntry[] = [];
  /** Index of the first live entry: trimming advances it and compacts now and then. */
  private start = 0;
  private readonly appended = new EventEmitter();

  constructor(private readonly maxLength: number) {
    this.appended.setMaxListeners(0);
  }

  async put(entries: LogEntry[]): Promise<void> {
    const head = this.newest();
    let added = 0;
    for (const entry of entries) {
      const last = added ? this.entries[this.entries.length - 1].cursor : head;
      if (last && compareCursors(entry.cursor, last) <= 0) continue;
      this.entries.push({ cursor: entry.cursor, data: entry.data });
      added += 1;
    }
    if (this.entries.length - this.start > this.maxLength) this.dropTo(this.entries.length - this.maxLength);
    if (added) this.appended.emit('append');
  }

  private newest(): string | null {
    return this.entries.length > this.start ? this.entries[this.entries.length - 1].cursor : null;
  }

  /** Index of the first live entry whose cursor is greater than `after`. */
  private indexAfter(after: string): number {
    let lo = this.start;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareCursors(this.entries[mid].cursor, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  async range(after: string, limit: number): Promise<LogEntry[]> {
    const from = this.indexAfter(after);
    return this.entries.slice(from, from + limit);
  }

  async waitAfter(after: string, limit: number, blockMs: number): Promise<LogEntry[]> {
    const now = await this.range(after, limit);
    if (now.length || blockMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.appended.off('append', done);
        resolve();
      };
      const timer = setTimeout(done, blockMs);
      this.appended.on('append', done);
    });
    return this.range(after, limit);
  }

  async head(): Promise<string | null> {
    return this.newest();
  }

  async trimThrough(through: string): Promise<void> {
    this.dropTo(this.indexAfter(through));
  }

  private dropTo(index: number) {
    if (index <= this.start) return;
    this.start = index;
    // Compact once the dead prefix dominates, so memory stays proportional to what is held.
    if (this.start > 4096 && this.start * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.start);
      this.start = 0;
    }
  }

  async close(): Promise<void> {
    this.appended.emit('append'); // wake any waiter
    this.appended.removeAllListeners();
  }
}
