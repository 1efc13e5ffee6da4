// The firehose log: an ordered, retained stream of public events, addressed by opaque cursors.
// The log lives in PostgreSQL (durable-log.ts); a LogCache (Redis Stream or an in-memory ring)
// holds a fast copy of its tail. A cursor is "<epoch>-<position>": the epoch names the log (fixed
// when its database was created), the position is gapless and assigned by the one relay. The same
// string is the entry's Redis Stream id, so the cache needs no translation.

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
   * The cursor just before the oldest retained entry ("<epoch>-0" when nothing was removed). A
   * `since` older than this, or from an older log, may have lost events.
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
  /** Which cache holds the fast copy of the tail. */
  readonly kind: 'redis' | 'memory';
  /** Appends events in order and returns the cursor each got. */
  append(events: string[]): Promise<string[]>;
  /** Entries strictly after `after` (or from the oldest when null), oldest first. */
  read(after: string | null, limit: number): Promise<LogEntry[]>;
  bounds(): Promise<LogBounds>;
  /**
   * Calls `onEntries` with every entry after `after` (or after the current head when null), in order,
   * as they are appended, until stopped. Each call gets a non-empty batch. Contract for consumers
   * (the same for every cache): a consumer that throws is logged at error level with the batch's
   * cursors and the tail goes on with the next batch; it never crashes the process or stops.
   */
  tail(after: string | null, onEntries: (entries: LogEntry[]) => void | Promise<void>): Promise<LogTail>;
  /** Applies the retention policy now (also done periodically by the relay). */
  trim(now?: number): Promise<void>;
  close(): Promise<void>;
}

/** The fast copy of the log's tail (Redis Stream, or an in-memory ring in embedded mode). */
export interface LogCache {
  readonly kind: 'redis' | 'memory';
  /**
   * Stores entries (ascending cursors). Entries not newer than what the cache already holds are
   * skipped, so a late or repeated put is harmless. Keeps at most the cache's length, newest first.
   */
  put(entries: LogEntry[]): Promise<void>;
  /** Entries strictly after `after`, oldest first (possibly with gaps, or none it no longer holds). */
  range(after: string, limit: number): Promise<LogEntry[]>;
  /** Like range, but waits up to `blockMs` for an entry when there is none yet; [] on timeout. */
  waitAfter(after: string, limit: number, blockMs: number): Promise<LogEntry[]>;
  /** Newest cursor of the log with this epoch held, or null when empty (e.g. after a Redis restart). */
  head(epoch: bigint): Promise<string | null>;
  /** Drops entries up to and including `through`. */
  trimThrough(through: string): Promise<void>;
  close(): Promise<void>;
}

const CURSOR_RE = /^(\d{1,16})-(\d{1,18})$/;

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

/**
 * Whether resuming after `since` can be served without a gap: a cursor older than what retention
 * kept (or from an older log) is expired; one beyond the head never came from this log.
 */
export async function checkCursor(log: FirehoseLog, since: string): Promise<CursorCheck> {
  if (!isCursor(since)) return { ok: false, code: 'invalid_cursor' };
  const bounds = await log.bounds();
  if (bounds.trimmedThrough && compareCursors(since, bounds.trimmedThrough) < 0) {
    return { ok: false, code: 'cursor_expired', oldest: bounds.oldest };
  }
  const newest = bounds.head ?? bounds.trimmedThrough;
  if (newest && compareCursors(since, newest) > 0) return { ok: false, code: 'invalid_cursor' };
  return { ok: true };
}

/** Splits a cursor into its epoch and position. */
export function parseCursor(cursor: string): { epoch: bigint; position: bigint } {
  const [epoch, position] = cursor.split('-').map(BigInt);
  return { epoch, position };
}

export const formatCursor = (epoch: bigint, position: bigint): string => `${epoch}-${position}`;
