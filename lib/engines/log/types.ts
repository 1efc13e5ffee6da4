// The firehose log: an ordered, retained stream of public events, addressed by opaque cursors.
// Cursors have the Redis Stream id shape "<ms>-<seq>" in both implementations.

export interface LogEntry {
  cursor: string;
  /** The event, JSON-encoded once by the relay (without its cursor). */
  data: string;
}

export interface LogBounds {
  /** Cursor of the oldest retained entry, or null when the log is empty. */
  oldest: string | null;
  /** Cursor of the newest entry ever appended, or null when nothing was ever appended. */
  head: string | null;
  /**
   * Newest cursor that retention may have removed (exact in memory; for Redis, the cursor just
   * before the oldest retained entry). A `since` older than this may have lost events.
   */
  trimmedThrough: string | null;
}

export interface LogTail {
  stop(): Promise<void>;
}

export interface LogRetention {
  /** Keep entries younger than this. */
  maxAgeMs: number;
  /** Keep at most this many entries (approximately, for Redis). */
  maxLength: number;
}

export interface FirehoseLog {
  readonly kind: 'redis' | 'memory';
  /** Appends events in order and returns the cursor each got. */
  append(events: string[]): Promise<string[]>;
  /** Entries strictly after `after` (or from the oldest when null), oldest first. */
  read(after: string | null, limit: number): Promise<LogEntry[]>;
  bounds(): Promise<LogBounds>;
  /**
   * Calls `onEntries` with every entry after `after` (or after the current head when null), in order,
   * as they are appended, until stopped. Each call gets a non-empty batch.
   */
  tail(after: string | null, onEntries: (entries: LogEntry[]) => void | Promise<void>): Promise<LogTail>;
  /** Applies the retention policy now (also done periodically by the relay). */
  trim(now?: number): Promise<void>;
  close(): Promise<void>;
}

const CURSOR_RE = /^(\d{1,16})-(\d{1,20})$/;

export function isCursor(value: unknown): value is string {
  return typeof value === 'string' && CURSOR_RE.test(value);
}

/** Orders two cursors: negative when a < b. */
export function compareCursors(a: string, b: string): number {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  if (am !== bm) return am < bm ? -1 : 1;
  if (as !== bs) return as < bs ? -1 : 1;
  return 0;
}

export type CursorCheck = { ok: true } | { ok: false; code: 'cursor_expired'; oldest: string | null } | { ok: false; code: 'invalid_cursor' };

/** Whether resuming after `since` can be served without a gap. */
export async function checkCursor(log: FirehoseLog, since: string): Promise<CursorCheck> {
  if (!isCursor(since)) return { ok: false, code: 'invalid_cursor' };
  const bounds = await log.bounds();
  if (bounds.trimmedThrough && compareCursors(since, bounds.trimmedThrough) < 0) {
    return { ok: false, code: 'cursor_expired', oldest: bounds.oldest };
  }
  return { ok: true };
}
