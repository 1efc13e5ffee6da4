// The usage recorder: counts per (account, token, hour) — requests, refused requests, submitted
// indicators, lookups, stream seconds and events delivered — in this process's memory, and adds
// them to usage_hours in batches (every USAGE_FLUSH_SECONDS and at shutdown) with an upsert that adds
// to the counters, so a request never waits on a usage write and every node's counts sum up.
// Bounded: at most `maxKeys` (account, token, hour) rows wait in memory (the database down for
// hours); past that, new rows are dropped, counted and logged once. A process that dies loses at
// most one flush interval of counts.
import type { SqlDriver } from '../db/sql-driver';
import type { Logger } from '../logger';

export interface UsageCounts {
  requests?: number;
  /** Requests refused with 429 by a plan's limit. */
  limited?: number;
  /** Indicators submitted. */
  submissions?: number;
  /** /check and search requests. */
  lookups?: number;
  eventsDelivered?: number;
}

export interface UsageSubject {
  userId: string;
  tokenId: string;
}

/** One open stream's usage: its events, and its connection time accrued hour by hour. */
export interface StreamUsage {
  delivered(events: number): void;
  close(): void;
}

export interface UsageRecorder {
  add(subject: UsageSubject, counts: UsageCounts): void;
  openStream(subject: UsageSubject): StreamUsage;
  /** Adds what is buffered now (open streams' time up to now included). */
  flush(): Promise<void>;
  /** Stops the timer, accrues open streams and flushes. */
  close(): Promise<void>;
  stats(): { bufferedRows: number; openStreams: number; droppedRows: number };
}

export interface UsageRecorderOptions {
  /** @default 5000 */
  flushMs?: number;
  /** @default 90 */
  retentionDays?: number;
  /** @default 100000 */
  maxKeys?: number;
  logger?: Pick<Logger, 'warn' | 'info'>;
  now?: () => number;
}

interface Row {
  userId: string;
  tokenId: string;
  hour: number;
  requests: number;
  limited: number;
  submissions: number;
  lookups: number;
  /** Milliseconds; whole seconds are written, the rest waits for the next flush. */
  streamMs: number;
  eventsDelivered: number;
}

/** An open stream: connection time accrued up to `accruedTo`; events delivered since, counted from `deliveredHour`. */
interface OpenStream {
  subject: UsageSubject;
  accruedTo: number;
  delivered: number;
  deliveredHour: number;
}

const HOUR_MS = 3_600_000;
const ROWS_PER_STATEMENT = 1000;
const PRUNE_EVERY_MS = HOUR_MS;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COUNTERS = ['requests', 'limited', 'submissions', 'lookups', 'eventsDelivered'] as const;

const emptyRow = (userId: string, tokenId: string, hour: number): Row => ({ userId, tokenId, hour, requests: 0, limited: 0, submissions: 0, lookups: 0, streamMs: 0, eventsDelivered: 0 });
const hourOf = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;
const clean = (n: number | undefined) => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? Math.floor(n) : 0);

export function createUsageRecorder(sql: SqlDriver, options: UsageRecorderOptions = {}): UsageRecorder {
  const flushMs = options.flushMs ?? 5000;
  const retentionDays = options.retentionDays ?? 90;
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const log = options.logger;
  let rows = new Map<string, Row>();
  const streams = new Set<OpenStream>();
  let dropped = 0;
  let droppedSinceWarning = 0;
  let running: Promise<void> | null = null;
  let lastPrune = 0;
  let closed = false;

  const rowFor = (subject: UsageSubject, at: number): Row | null => {
    const hour = hourOf(at);
    const key = `${subject.userId}|${subject.tokenId}|${hour}`;
    let row = rows.get(key);
    if (!row) {
      if (rows.size >= maxKeys) {
        dropped += 1;
        if (droppedSinceWarning++ === 0) log?.warn({ maxKeys }, 'usage buffer full (the database is not taking usage): dropping new usage rows');
        return null;
      }
      rows.set(key, (row = emptyRow(subject.userId, subject.tokenId, hour)));
    }
    return row;
  };

  const valid = (subject: UsageSubject) => UUID.test(subject.userId) && UUID.test(subject.tokenId);

  const add = (subject: UsageSubject, counts: UsageCounts) => {
    if (!valid(subject)) return;
    const row = rowFor(subject, now());
    if (!row) return;
    for (const name of COUNTERS) row[name] += clean(counts[name]);
  };

  /** Moves the events a stream delivered since it was last folded into their hour's row. */
  const foldDelivered = (stream: OpenStream) => {
    if (!stream.delivered) return;
    const row = rowFor(stream.subject, stream.deliveredHour);
    if (row) row.eventsDelivered += stream.delivered;
    stream.delivered = 0;
  };

  /** Adds an open stream's time since it was last accrued, split at hour boundaries, and its events. */
  const accrue = (stream: OpenStream, until: number) => {
    while (stream.accruedTo < until) {
      const end = Math.min(until, hourOf(stream.accruedTo) + HOUR_MS);
      const row = rowFor(stream.subject, stream.accruedTo);
      if (row) row.streamMs += end - stream.accruedTo;
      stream.accruedTo = end;
    }
    foldDelivered(stream);
  };

  const write = async (batch: Row[]) => {
    for (let i = 0; i < batch.length; i += ROWS_PER_STATEMENT) {
      const slice = batch.slice(i, i + ROWS_PER_STATEMENT).map((r) => ({
        u: r.userId,
        t: r.tokenId,
        h: new Date(r.hour).toISOString(),
        r: r.requests,
        l: r.limited,
        s: r.submissions,
        k: r.lookups,
        ss: Math.floor(r.streamMs / 1000),
        e: r.eventsDelivered,
      }));
      // Rows of an account deleted meanwhile are skipped (the join), never failing the batch.
      await sql.query(
        `INSERT INTO usage_hours (user_id, token_id, hour, requests, limited, submissions, lookups, stream_seconds, events_delivered)
         SELECT x.u, x.t, x.h, x.r, x.l, x.s, x.k, x.ss, x.e
         FROM jsonb_to_recordset($1::jsonb) AS x(u uuid, t uuid, h timestamptz, r int, l int, s int, k int, ss int, e bigint)
         JOIN users ON users.id = x.u
         ON CONFLICT (user_id, token_id, hour) DO UPDATE SET
           requests = usage_hours.requests + EXCLUDED.requests,
           limited = usage_hours.limited + EXCLUDED.limited,
           submissions = usage_hours.submissions + EXCLUDED.submissions,
           lookups = usage_hours.lookups + EXCLUDED.lookups,
           stream_seconds = usage_hours.stream_seconds + EXCLUDED.stream_seconds,
           events_delivered = usage_hours.events_delivered + EXCLUDED.events_delivered`,
        [JSON.stringify(slice)],
      );
    }
  };

  const drain = (final: boolean): Promise<void> => {
    if (running) return running.then(() => drain(final));
    running = (async () => {
      const at = now();
      for (const stream of streams) accrue(stream, at);
      const taken = rows;
      rows = new Map();
      const batch: Row[] = [];
      for (const [key, row] of taken) {
        // Stream time below a second waits for the next flush (at close it is rounded).
        const leftover = final ? 0 : row.streamMs % 1000;
        if (final && row.streamMs % 1000 >= 500) row.streamMs += 1000 - (row.streamMs % 1000);
        const hasCounts = COUNTERS.some((name) => row[name] > 0) || row.streamMs >= 1000;
        if (hasCounts) batch.push(row);
        if (leftover) rows.set(key, { ...emptyRow(row.userId, row.tokenId, row.hour), streamMs: leftover });
      }
      try {
        if (batch.length) await write(batch);
        droppedSinceWarning = 0;
      } catch (error) {
        // Kept and added again at the next flush (bounded by maxKeys).
        for (const row of batch) {
          const into = rowFor(row, row.hour);
          if (!into) continue;
          for (const name of COUNTERS) into[name] += row[name];
          into.streamMs += row.streamMs - (final ? 0 : row.streamMs % 1000);
        }
        log?.warn({ err: error, rows: batch.length }, 'could not add usage to the database; kept for the next flush');
        if (final) throw error;
        return;
      }
      if (at - lastPrune >= PRUNE_EVERY_MS) {
        lastPrune = at;
        await sql
          .query(`DELETE FROM usage_hours WHERE hour < now() - make_interval(days => $1::int)`, [retentionDays])
          .catch((error: unknown) => log?.warn({ err: error }, 'could not prune old usage'));
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const timer = setInterval(() => void drain(false).catch(() => undefined), flushMs);
  timer.unref();

  return {
    add,
    openStream(subject) {
      if (!valid(subject) || closed) return { delivered: () => undefined, close: () => undefined };
      const stream: OpenStream = { subject, accruedTo: now(), delivered: 0, deliveredHour: 0 };
      streams.add(stream);
      return {
        // Called per socket per flush by the gateway's fan-out loop: an addition on the stream,
        // moved into a row when the stream is accrued (every flush interval, at close). The clock
        // is read once per interval, not per frame (Next patches Date.now), so events delivered
        // just after an hour turns may count in the hour before (at most one flush interval's).
        delivered: (events) => {
          if (!stream.delivered) stream.deliveredHour = hourOf(now());
          stream.delivered += clean(events);
        },
        close: () => {
          if (!streams.delete(stream)) return;
          accrue(stream, now());
        },
      };
    },
    flush: () => drain(false),
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      const at = now();
      for (const stream of streams) accrue(stream, at);
      streams.clear();
      await drain(true);
    },
    stats: () => ({ bufferedRows: rows.size, openStreams: streams.size, droppedRows: dropped }),
  };
}
