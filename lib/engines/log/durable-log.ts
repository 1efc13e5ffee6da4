// The firehose log (DESIGN.md decisions 2 and 4). PostgreSQL holds it durably in `firehose_log`
// for the retention window; a LogCache (Redis Stream or an in-memory ring) holds a fast copy of its
// tail that gateways read. Losing the cache delays nothing but speed: reads fall back to
// PostgreSQL, tails fill any gap from it, and the relay refills an empty cache (syncCache).
//
// Positions are gapless: the one writer holding the log's lock (the relay; PostgreSQL advisory
// lock, or an in-process chain on the embedded database) numbers entries head+1, head+2, ... and
// moves the head in the same transaction. A cursor is "<epoch>-<position>" (types.ts).
// Longer than 300 lines because the log's writer (positions under the lock), its readers (cache
// first, PostgreSQL behind) and the tail's fallback share one invariant that reads best together.
import type { SqlDriver, SqlSession } from '../../db/sql-driver';
import type { Logger } from '../../logger';
import { withTimeout } from '../../timeout';
import {
  compareCursors,
  formatCursor,
  parseCursor,
  type FirehoseLog,
  type LogBounds,
  type LogCache,
  type LogEntry,
  type LogRetention,
  type LogTail,
} from './types';

/** Advisory lock key of the log's writer ("sluice" + "relay"), shared by every node. */
export const LOG_WRITER_LOCK_KEY = 7_372_018_452_001n;

/** How long a cache call may take before the durable log is used instead. */
const CACHE_TIMEOUT_MS = 2000;
/** After a cache failure, skip the cache for this long (one incident, not a retry storm). */
const CACHE_RETRY_MS = 2000;

export interface DurableLogOptions {
  retention: LogRetention;
  logger?: Logger;
  /** How long a tail waits on the cache before it also looks in PostgreSQL. @default 1000 */
  tailBlockMs?: number;
  /** Poll interval of a tail while the cache is unavailable. @default 250 */
  pollMs?: number;
}

interface Row extends Record<string, unknown> {
  position: string;
  data: string;
}

// Embedded mode: writers sharing one in-process database take turns through this chain.
const embeddedLocks = new WeakMap<object, Promise<unknown>>();

function withEmbeddedLock<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const previous = embeddedLocks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  embeddedLocks.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}

const withCacheTimeout = <T>(promise: Promise<T>, ms: number, what: string) => withTimeout(promise, ms, () => new Error(`${what} timed out after ${ms} ms`));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref?.());

/** Returned by a `tryOnly` write when another writer holds the lock. */
export const LOG_BUSY = -1;

export class DurableLog implements FirehoseLog {
  private epochValue: bigint | null = null;
  private cacheDownUntil = 0;
  private cacheDown = false;
  private readonly tails = new Set<{ stopped: boolean }>();
  private readonly logger: Logger | undefined;
  private readonly tailBlockMs: number;
  private readonly pollMs: number;

  constructor(
    private readonly sql: SqlDriver,
    private readonly cache: LogCache,
    private readonly options: DurableLogOptions,
  ) {
    this.logger = options.logger?.child({ module: 'firehose-log' });
    this.tailBlockMs = options.tailBlockMs ?? 1000;
    this.pollMs = options.pollMs ?? 250;
  }

  get kind(): 'redis' | 'memory' {
    return this.cache.kind;
  }

  /** The log's epoch: the first part of every cursor (fixed when the database was created). */
  async epoch(): Promise<bigint> {
    if (this.epochValue === null) {
      const [row] = await this.sql.query<{ epoch: string }>(`SELECT epoch::text AS epoch FROM firehose_log_meta WHERE id = 1`);
      if (!row) throw new Error('firehose_log_meta is empty: the durable_log migration did not run');
      this.epochValue = BigInt(row.epoch);
    }
    return this.epochValue;
  }

  /** The position a cursor stands for in this log: 0 for null or an older log, null for a newer log. */
  private async positionOf(cursor: string | null): Promise<bigint | null> {
    if (cursor === null) return 0n;
    const epoch = await this.epoch();
    const parsed = parseCursor(cursor);
    if (parsed.epoch < epoch) return 0n;
    if (parsed.epoch > epoch) return null;
    return parsed.position;
  }

  private toEntries(epoch: bigint, rows: Row[]): LogEntry[] {
    return rows
      .map((row) => ({ position: BigInt(row.position), data: row.data }))
      .sort((a, b) => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0))
      .map((row) => ({ cursor: formatCursor(epoch, row.position), data: row.data }));
  }

  /**
   * Runs `write` in a transaction holding the writer lock; with `tryOnly`, returns LOG_BUSY at once
   * when another writer holds it. The new entries go to the cache only after the commit.
   */
  private async write(tryOnly: boolean, write: (tx: SqlSession, head: bigint) => Promise<Row[]>): Promise<LogEntry[] | typeof LOG_BUSY> {
    const epoch = await this.epoch();
    const run = (tx: SqlSession) => this.insideLock(tx, write);
    let rows: Row[] | typeof LOG_BUSY;
    if (this.sql.kind === 'embedded') {
      rows = await withEmbeddedLock(this.sql, () => this.sql.transaction(run));
    } else {
      rows = await this.sql.transaction(async (tx) => {
        const key = [LOG_WRITER_LOCK_KEY.toString()];
        if (tryOnly) {
          const [lock] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, key);
          if (!lock?.locked) return LOG_BUSY;
        } else {
          await tx.query(`SELECT pg_advisory_xact_lock($1::bigint)`, key);
        }
        return run(tx);
      });
    }
    if (rows === LOG_BUSY) return LOG_BUSY;
    const entries = this.toEntries(epoch, rows);
    await this.publish(entries);
    return entries;
  }

  private async insideLock(tx: SqlSession, write: (tx: SqlSession, head: bigint) => Promise<Row[]>): Promise<Row[]> {
    const [meta] = await tx.query<{ head: string }>(`SELECT head::text AS head FROM firehose_log_meta WHERE id = 1 FOR UPDATE`);
    const rows = await write(tx, BigInt(meta.head));
    if (rows.length) await tx.query(`UPDATE firehose_log_meta SET head = head + $1 WHERE id = 1`, [rows.length]);
    return rows;
  }

  /** Appends events (already JSON-encoded) and returns their cursors. Waits for the writer lock. */
  async append(events: string[]): Promise<string[]> {
    if (!events.length) return [];
    const entries = await this.write(false, (tx, head) =>
      tx.query<Row>(
        `INSERT INTO firehose_log (position, data)
         SELECT $1::bigint + t.ord, t.data FROM unnest($2::text[]) WITH ORDINALITY AS t(data, ord)
         RETURNING position::text AS position, data`,
        [head.toString(), events],
      ),
    );
    return entries === LOG_BUSY ? [] : entries.map((entry) => entry.cursor);
  }

  /**
   * The relay's step: moves up to `limit` committed outbox rows into the log, in outbox order, in
   * one transaction (the rows leave the outbox exactly when they enter the log). Returns how many
   * moved, or LOG_BUSY when another node's relay holds the lock.
   */
  async appendFromOutbox(limit: number): Promise<number> {
    // Every event leaves with its origin (docs/federation.md): events received from a peer carry
    // theirs already; the others were published here, hops 0.
    const STAMP_ORIGIN = `CASE WHEN payload ? 'origin' THEN payload ELSE payload || jsonb_build_object('origin',
      jsonb_build_object('instance', (SELECT id FROM federation_instance), 'eventId', payload->>'id', 'hops', 0)) END`;
    const entries = await this.write(true, (tx, head) =>
      tx.query<Row>(
        `WITH batch AS (SELECT id, payload FROM outbox ORDER BY id LIMIT $1),
              moved AS (DELETE FROM outbox o USING batch b WHERE o.id = b.id)
         INSERT INTO firehose_log (position, data)
         SELECT $2::bigint + row_number() OVER (ORDER BY id), (${STAMP_ORIGIN})::text FROM batch
         RETURNING position::text AS position, data`,
        [limit, head.toString()],
      ),
    );
    return entries === LOG_BUSY ? LOG_BUSY : entries.length;
  }

  /** Copies committed entries to the cache; a failing cache only costs speed (readers use PostgreSQL). */
  private async publish(entries: LogEntry[]): Promise<void> {
    if (!entries.length || !this.cacheUsable()) return;
    try {
      await withCacheTimeout(this.cache.put(entries), CACHE_TIMEOUT_MS, 'log cache put');
      this.cacheRecovered();
    } catch (error) {
      this.cacheFailed(error);
    }
  }

  private cacheUsable(): boolean {
    return Date.now() >= this.cacheDownUntil;
  }

  private cacheFailed(error: unknown) {
    this.cacheDownUntil = Date.now() + CACHE_RETRY_MS;
    if (!this.cacheDown) {
      this.cacheDown = true;
      this.logger?.warn({ err: error, cache: this.cache.kind }, 'the firehose log cache is unavailable: serving the log from PostgreSQL until it returns');
    }
  }

  private cacheRecovered() {
    if (this.cacheDown) {
      this.cacheDown = false;
      this.logger?.info({ cache: this.cache.kind }, 'the firehose log cache is back');
    }
  }

  /**
   * Brings the cache up to the durable head (after a Redis restart it comes back empty): copies the
   * newest entries it lacks, at most `maxEntries`. Returns how many were copied.
   */
  async syncCache(maxEntries = 10_000): Promise<number> {
    if (!this.cacheUsable()) return 0;
    const epoch = await this.epoch();
    const { head } = await this.bounds();
    if (!head) return 0;
    let cacheHead: string | null;
    try {
      cacheHead = await withCacheTimeout(this.cache.head(epoch), CACHE_TIMEOUT_MS, 'log cache head');
    } catch (error) {
      this.cacheFailed(error);
      return 0;
    }
    if (cacheHead && compareCursors(cacheHead, head) >= 0) return 0;
    const headPosition = parseCursor(head).position;
    let from = cacheHead ? ((await this.positionOf(cacheHead)) ?? headPosition) : 0n;
    if (headPosition - from > BigInt(maxEntries)) from = headPosition - BigInt(maxEntries);
    let copied = 0;
    while (from < headPosition) {
      const page = await this.readDurable(epoch, from, 1000);
      if (!page.length) break;
      try {
        await withCacheTimeout(this.cache.put(page), CACHE_TIMEOUT_MS, 'log cache refill');
      } catch (error) {
        this.cacheFailed(error);
        break;
      }
      copied += page.length;
      from = parseCursor(page[page.length - 1].cursor).position;
    }
    if (copied) this.logger?.info({ copied }, 'refilled the firehose log cache from PostgreSQL');
    return copied;
  }

  private async readDurable(epoch: bigint, after: bigint, limit: number): Promise<LogEntry[]> {
    const rows = await this.sql.query<Row>(
      `SELECT position::text AS position, data FROM firehose_log WHERE position > $1 ORDER BY firehose_log.position LIMIT $2`,
      [after.toString(), limit],
    );
    return this.toEntries(epoch, rows);
  }

  /** The prefix of `entries` that continues `after` without a gap. */
  private static contiguous(entries: LogEntry[], after: bigint): LogEntry[] {
    let expected = after + 1n;
    let n = 0;
    for (const entry of entries) {
      if (parseCursor(entry.cursor).position !== expected) break;
      expected += 1n;
      n += 1;
    }
    return n === entries.length ? entries : entries.slice(0, n);
  }

  async read(after: string | null, limit: number): Promise<LogEntry[]> {
    const epoch = await this.epoch();
    const position = await this.positionOf(after);
    if (position === null) return [];
    if (this.cacheUsable()) {
      try {
        const cached = await withCacheTimeout(this.cache.range(formatCursor(epoch, position), limit), CACHE_TIMEOUT_MS, 'log cache read');
        const served = DurableLog.contiguous(cached, position);
        // The cache answers only when it holds the start of the range; otherwise PostgreSQL does.
        if (served.length && served.length === cached.length) return served;
      } catch (error) {
        this.cacheFailed(error);
      }
    }
    return this.readDurable(epoch, position, limit);
  }

  async bounds(): Promise<LogBounds> {
    const [row] = await this.sql.query<{ epoch: string; head: string; oldest: string | null }>(
      `SELECT epoch::text AS epoch, head::text AS head, (SELECT min(position) FROM firehose_log)::text AS oldest
         FROM firehose_log_meta WHERE id = 1`,
    );
    const epoch = BigInt(row.epoch);
    this.epochValue ??= epoch;
    const head = BigInt(row.head);
    const oldest = row.oldest === null ? null : BigInt(row.oldest);
    return {
      oldest: oldest === null ? null : formatCursor(epoch, oldest),
      head: head > 0n ? formatCursor(epoch, head) : null,
      trimmedThrough: formatCursor(epoch, (oldest ?? head + 1n) - 1n),
    };
  }

  async tail(after: string | null, onEntries: (entries: LogEntry[]) => void | Promise<void>): Promise<LogTail> {
    const epoch = await this.epoch();
    const start = after === null ? (await this.bounds()).head : after;
    let position = (await this.positionOf(start)) ?? 0n;
    const state = { stopped: false };
    this.tails.add(state);
    let databaseDown = false;
    void (async () => {
      while (!state.stopped) {
        let entries: LogEntry[] = [];
        if (this.cacheUsable()) {
          try {
            const cached = await this.cache.waitAfter(formatCursor(epoch, position), 1000, this.tailBlockMs);
            entries = DurableLog.contiguous(cached, position);
            this.cacheRecovered();
          } catch (error) {
            if (state.stopped) break;
            this.cacheFailed(error);
          }
        }
        if (state.stopped) break;
        if (!entries.length) {
          // Nothing new in the cache (idle, behind, or gone): PostgreSQL has the truth.
          try {
            entries = await this.readDurable(epoch, position, 1000);
            if (databaseDown) this.logger?.info('the firehose log is readable again');
            databaseDown = false;
          } catch (error) {
            if (!databaseDown) this.logger?.error({ err: error }, 'cannot read the firehose log from PostgreSQL; retrying');
            databaseDown = true;
          }
          if (!entries.length) {
            if (!this.cacheUsable() || databaseDown) await sleep(this.pollMs);
            continue;
          }
        }
        if (state.stopped) break;
        position = parseCursor(entries[entries.length - 1].cursor).position;
        try {
          await onEntries(entries);
        } catch (error) {
          // The one contract for consumers (types.ts): loud, and the tail goes on.
          this.logger?.error({ err: error, from: entries[0].cursor, to: entries[entries.length - 1].cursor }, 'a firehose log consumer failed on a batch');
          if (!this.logger) console.error('a firehose log consumer failed on a batch', error);
        }
      }
      this.tails.delete(state);
    })();
    return {
      // Returns at once: a read blocked on the cache finishes on its own, and no batch is handed
      // to the consumer after stop().
      stop: async () => {
        state.stopped = true;
      },
    };
  }

  async trim(now: number = Date.now()): Promise<void> {
    const epoch = await this.epoch();
    const { head } = await this.bounds();
    if (!head) return;
    const headPosition = parseCursor(head).position;
    const [young] = await this.sql.query<{ position: string }>(
      `SELECT position::text AS position FROM firehose_log WHERE appended_at >= to_timestamp($1::double precision / 1000) ORDER BY firehose_log.position LIMIT 1`,
      [now - this.options.retention.maxAgeMs],
    );
    const byAge = young ? BigInt(young.position) - 1n : headPosition;
    const byLength = headPosition - BigInt(this.options.retention.maxLength);
    const through = byAge > byLength ? byAge : byLength;
    if (through <= 0n) return;
    await this.sql.query(`DELETE FROM firehose_log WHERE position <= $1`, [through.toString()]);
    if (this.cacheUsable()) {
      await withCacheTimeout(this.cache.trimThrough(formatCursor(epoch, through)), CACHE_TIMEOUT_MS, 'log cache trim').catch((error: unknown) => this.cacheFailed(error));
    }
  }

  async close(): Promise<void> {
    for (const tail of this.tails) tail.stopped = true;
    this.tails.clear();
  }
}
