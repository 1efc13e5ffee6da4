// The embedded job queue: a table in the database (PGlite under ./data, or PostgreSQL), claimed with
// FOR UPDATE SKIP LOCKED and held by a renewable lease. Jobs survive a restart; a worker that dies
// mid-job loses its lease and the job runs again. Used when REDIS_URL is unset (see docs/workers.md).
// Longer than 300 lines because it is a whole queue engine (claim, lease, retry, dead letters,
// schedules) on one table; its SQL statements depend on each other's invariants.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { SqlDriver } from '../db/sql-driver';
import { isUnavailableError } from '../errors';
import type {
  AddJobOptions,
  DeadLetter,
  JobData,
  JobFailure,
  JobHandler,
  JobQueue,
  NewJob,
  ProcessOptions,
  QueueStats,
  QueueWorker,
} from './types';
import { unavailableJobDelayMs } from './types';

export interface SqlQueueOptions {
  name: string;
  sql: SqlDriver;
  defaults: { attempts: number; backoffMs: number };
  /** @default 30000 */
  leaseMs?: number;
  /** @default 200 */
  pollMs?: number;
  /**
   * Embedded mode: this process is the only one on the database, so jobs left "active" by a previous
   * run (killed mid-job) are returned to the queue at once instead of waiting for their lease.
   */
  recoverOnStart?: boolean;
  /** Completed rows are kept this long for throughput figures. @default 600000 */
  keepCompletedMs?: number;
}

interface JobRow extends Record<string, unknown> {
  id: string;
  name: string;
  data: unknown;
  attempts: number;
  max_attempts: number;
  backoff_ms: number;
  last_error: string | null;
  failed_at: Date | string | null;
}

const iso = (v: Date | string | null | undefined) => (v ? new Date(v).toISOString() : new Date(0).toISOString());
const parseData = (v: unknown): JobData => (typeof v === 'string' ? (JSON.parse(v) as JobData) : ((v ?? {}) as JobData));
const errorText = (error: unknown) => (error instanceof Error ? error.stack ?? error.message : String(error)).slice(0, 4000);

// In-process wake-ups: an add() in this process starts idle workers at once instead of at the next poll.
const wakers = new WeakMap<object, Map<string, Set<() => void>>>();
function listeners(sql: object, queue: string): Set<() => void> {
  let byQueue = wakers.get(sql);
  if (!byQueue) wakers.set(sql, (byQueue = new Map()));
  let set = byQueue.get(queue);
  if (!set) byQueue.set(queue, (set = new Set()));
  return set;
}

export function createSqlQueue(options: SqlQueueOptions): JobQueue {
  const { sql, name: queue } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const pollMs = options.pollMs ?? 200;
  const keepCompletedMs = options.keepCompletedMs ?? 600_000;
  let recovered = !options.recoverOnStart;

  async function addBulk(jobs: NewJob[]): Promise<(string | null)[]> {
    if (!jobs.length) return [];
    const rows = jobs.map((j) => ({
      n: j.name,
      k: j.options?.key ?? null,
      d: j.data,
      a: j.options?.attempts ?? options.defaults.attempts,
      b: j.options?.backoffMs ?? options.defaults.backoffMs,
      w: j.options?.delayMs ?? 0,
    }));
    const insert = (batch: typeof rows) =>
      sql.query<{ id: string }>(
        `INSERT INTO jobs (queue, name, key, data, max_attempts, backoff_ms, run_at)
         SELECT $1, x.n, x.k, x.d, x.a, x.b, now() + x.w * interval '1 millisecond'
         FROM ROWS FROM (jsonb_to_recordset($2::jsonb) AS (n text, k text, d jsonb, a int, b int, w int)) WITH ORDINALITY AS x(n, k, d, a, b, w, o)
         WHERE x.k IS NULL OR NOT EXISTS (SELECT 1 FROM jobs j WHERE j.queue = $1 AND j.key = x.k AND j.status IN ('waiting', 'active'))
         ORDER BY x.o
         RETURNING id::text AS id`,
        [queue, JSON.stringify(batch)],
      );
    let ids: (string | null)[];
    if (rows.every((r) => r.k === null)) {
      ids = (await insert(rows)).map((r) => r.id);
    } else {
      // Keyed jobs (scheduler ticks) are few: one statement each tells which were de-duplicated.
      ids = [];
      for (const row of rows) ids.push((await insert([row]))[0]?.id ?? null);
    }
    for (const wake of listeners(sql, queue)) wake();
    return ids;
  }

  function processJobs(handler: JobHandler, processOptions: ProcessOptions): QueueWorker {
    const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const concurrency = Math.max(1, processOptions.concurrency);
    const running = new Map<string, { promise: Promise<void>; abort: AbortController }>();
    let stopping = false;
    let wake: (() => void) | null = null;
    const poke = () => wake?.();
    const localListeners = listeners(sql, queue);
    localListeners.add(poke);

    const beat = async () => {
      await sql.query(
        `INSERT INTO job_workers (id, queue, host, pid, concurrency) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
        [workerId, queue, hostname(), process.pid, concurrency],
      );
      if (running.size) {
        await sql.query(`UPDATE jobs SET locked_until = now() + $2 * interval '1 millisecond' WHERE locked_by = $1 AND status = 'active'`, [workerId, leaseMs]);
      }
    };
    let lastPrune = 0;
    const heartbeat = setInterval(() => {
      beat().catch(() => undefined);
      if (Date.now() - lastPrune > 30_000) {
        lastPrune = Date.now();
        sql
          .query(`DELETE FROM jobs WHERE queue = $1 AND status = 'completed' AND completed_at < now() - $2 * interval '1 millisecond'`, [queue, keepCompletedMs])
          .then(() => sql.query(`DELETE FROM job_workers WHERE queue = $1 AND seen_at < now() - interval '1 hour'`, [queue]))
          .catch(() => undefined);
      }
    }, Math.max(250, Math.min(5000, Math.floor(leaseMs / 3))));

    const claim = async (limit: number): Promise<JobRow[]> => {
      if (!recovered) {
        recovered = true;
        await sql.query(`UPDATE jobs SET status = 'waiting', locked_by = NULL, locked_until = NULL WHERE queue = $1 AND status = 'active'`, [queue]);
      }
      return sql.query<JobRow>(
        `UPDATE jobs SET status = 'active', attempts = attempts + 1, locked_by = $2, locked_until = now() + $4 * interval '1 millisecond'
         WHERE id IN (
           SELECT id FROM jobs
           WHERE queue = $1 AND ((status = 'waiting' AND run_at <= now()) OR (status = 'active' AND locked_until < now()))
           ORDER BY run_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
         RETURNING id::text AS id, name, data, attempts, max_attempts, backoff_ms, last_error, failed_at`,
        [queue, workerId, limit, leaseMs],
      );
    };

    const deadLetter = async (row: JobRow, error: string) => {
      const [dead] = await sql.query<JobRow>(
        `UPDATE jobs SET status = 'dead', failed_at = now(), last_error = $3, locked_by = NULL, locked_until = NULL
         WHERE id = $1::bigint AND locked_by = $2
         RETURNING id::text AS id, name, data, attempts, max_attempts, backoff_ms, last_error, failed_at`,
        [row.id, workerId, error],
      );
      if (!dead) return;
      processOptions.onFailure?.({ id: row.id, name: row.name, attempt: row.attempts, error, at: iso(dead.failed_at), dead: true });
      await processOptions.onDeadLetter?.({ job: toDeadLetter(dead) });
    };

    const runOne = async (row: JobRow) => {
      if (row.attempts > row.max_attempts) {
        // Reclaimed after its worker died on the final attempt.
        await deadLetter(row, row.last_error ?? 'the worker running this job stopped (lease expired) on its final attempt');
        return;
      }
      const abort = new AbortController();
      const started = Date.now();
      const promise = (async () => {
        try {
          await handler({
            id: row.id,
            name: row.name,
            data: parseData(row.data),
            attempt: row.attempts,
            maxAttempts: row.max_attempts,
            isFinalAttempt: row.attempts >= row.max_attempts,
            signal: abort.signal,
          });
          if (abort.signal.aborted) return; // returned to the queue by stop()
          await sql.query(
            `UPDATE jobs SET status = 'completed', completed_at = now(), locked_by = NULL, locked_until = NULL WHERE id = $1::bigint AND locked_by = $2`,
            [row.id, workerId],
          );
          processOptions.onCompleted?.({ id: row.id, name: row.name, ms: Date.now() - started });
        } catch (error) {
          if (abort.signal.aborted) return; // returned to the queue by stop()
          const text = errorText(error);
          if (isUnavailableError(error)) {
            // Not the job's failure: a dependency is down. Back to the queue for later, the attempt given back.
            const later = unavailableJobDelayMs();
            await sql.query(
              `UPDATE jobs SET status = 'waiting', attempts = greatest(attempts - 1, 0), run_at = now() + $3 * interval '1 millisecond', locked_by = NULL, locked_until = NULL
               WHERE id = $1::bigint AND locked_by = $2`,
              [row.id, workerId, later],
            );
            setTimeout(poke, later + 5).unref();
            return;
          }
          if (row.attempts >= row.max_attempts) {
            await deadLetter(row, text);
            return;
          }
          const delay = row.backoff_ms * 2 ** (row.attempts - 1);
          await sql.query(
            `UPDATE jobs SET status = 'waiting', run_at = now() + $3 * interval '1 millisecond', last_error = $4, failed_at = now(), locked_by = NULL, locked_until = NULL
             WHERE id = $1::bigint AND locked_by = $2`,
            [row.id, workerId, delay, text],
          );
          processOptions.onFailure?.({ id: row.id, name: row.name, attempt: row.attempts, error: text, at: new Date().toISOString(), dead: false });
          setTimeout(poke, delay + 5).unref();
        }
      })()
        .catch(() => undefined)
        .finally(() => {
          running.delete(row.id);
          poke();
        });
      running.set(row.id, { promise, abort });
    };

    const loop = (async () => {
      await beat().catch(() => undefined);
      let failures = 0;
      while (!stopping) {
        let claimedAll = false;
        const free = concurrency - running.size;
        if (free > 0) {
          try {
            const rows = await claim(free);
            failures = 0;
            for (const row of rows) await runOne(row);
            claimedAll = rows.length === free;
          } catch {
            failures += 1;
          }
        }
        if (stopping) break;
        if (claimedAll && running.size < concurrency) continue;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, failures ? Math.min(5000, pollMs * 2 ** failures) : pollMs);
          function done() {
            clearTimeout(timer);
            wake = null;
            resolve();
          }
          wake = done;
        });
      }
    })();

    return {
      id: workerId,
      async stop(graceMs = 10_000) {
        stopping = true;
        localListeners.delete(poke);
        wake?.();
        await loop;
        const all = Promise.all([...running.values()].map((r) => r.promise));
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([all.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
        clearTimeout(timer);
        clearInterval(heartbeat);
        if (timedOut) {
          // Returned, not failed: the interruption was ours, so the attempt is given back. The
          // lock is dropped first, so a run that still ends later cannot complete or fail the job.
          await sql.query(
            `UPDATE jobs SET status = 'waiting', attempts = greatest(attempts - 1, 0), locked_by = NULL, locked_until = NULL WHERE locked_by = $1 AND status = 'active'`,
            [workerId],
          );
          for (const r of running.values()) r.abort.abort();
          for (const wake of listeners(sql, queue)) wake();
        }
        await sql.query(`DELETE FROM job_workers WHERE id = $1`, [workerId]).catch(() => undefined);
      },
    };
  }

  const toDeadLetter = (row: JobRow): DeadLetter => ({
    id: row.id,
    name: row.name,
    data: parseData(row.data),
    attempts: row.attempts,
    lastError: row.last_error ?? '',
    failedAt: iso(row.failed_at),
  });

  return {
    kind: 'sql',
    name: queue,
    async add(name: string, data: JobData, opts?: AddJobOptions) {
      const [id] = await addBulk([{ name, data, options: opts }]);
      return id ?? null;
    },
    addBulk,
    process: processJobs,
    async stats(seconds = 60): Promise<QueueStats> {
      const [counts] = await sql.query<{ waiting: number; active: number; delayed: number; dead: number; oldest: number | null }>(
        `SELECT count(*) FILTER (WHERE status = 'waiting' AND run_at <= now())::int AS waiting,
                count(*) FILTER (WHERE status = 'active')::int AS active,
                count(*) FILTER (WHERE status = 'waiting' AND run_at > now())::int AS delayed,
                count(*) FILTER (WHERE status = 'dead')::int AS dead,
                (extract(epoch FROM now() - min(run_at) FILTER (WHERE status = 'waiting' AND run_at <= now())) * 1000)::float8 AS oldest
         FROM jobs WHERE queue = $1 AND status <> 'completed'`,
        [queue],
      );
      const perSecond = await sql.query<{ ago: number; n: number }>(
        `SELECT (extract(epoch FROM date_trunc('second', now())) - extract(epoch FROM date_trunc('second', completed_at)))::int AS ago, count(*)::int AS n
         FROM jobs WHERE queue = $1 AND status = 'completed' AND completed_at >= date_trunc('second', now()) - ($2 - 1) * interval '1 second'
         GROUP BY 1`,
        [queue, seconds],
      );
      const completedPerSecond = new Array<number>(seconds).fill(0);
      for (const row of perSecond) if (row.ago >= 0 && row.ago < seconds) completedPerSecond[seconds - 1 - row.ago] = row.n;
      const workers = await sql.query<{ id: string; host: string; pid: number; concurrency: number; started_at: Date; seen_at: Date }>(
        `SELECT id, host, pid, concurrency, started_at, seen_at FROM job_workers
         WHERE queue = $1 AND seen_at > now() - $2 * interval '1 millisecond' ORDER BY started_at`,
        [queue, Math.max(15_000, leaseMs)],
      );
      return {
        counts: { waiting: counts?.waiting ?? 0, active: counts?.active ?? 0, delayed: counts?.delayed ?? 0, dead: counts?.dead ?? 0 },
        workers: workers.map((w) => ({ id: w.id, host: w.host, pid: w.pid, concurrency: w.concurrency, startedAt: iso(w.started_at), seenAt: iso(w.seen_at) })),
        completedPerSecond,
        oldestWaitingMs: Math.max(0, Math.round(counts?.oldest ?? 0)),
      };
    },
    async findDeadLetters(limit = 50) {
      const rows = await sql.query<JobRow>(
        `SELECT id::text AS id, name, data, attempts, max_attempts, backoff_ms, last_error, failed_at FROM jobs
         WHERE queue = $1 AND status = 'dead' ORDER BY failed_at DESC, id DESC LIMIT $2`,
        [queue, limit],
      );
      return rows.map(toDeadLetter);
    },
    async findRecentFailures(limit = 20): Promise<JobFailure[]> {
      const rows = await sql.query<JobRow & { status: string }>(
        `SELECT id::text AS id, name, data, attempts, max_attempts, backoff_ms, last_error, failed_at, status FROM jobs
         WHERE queue = $1 AND failed_at IS NOT NULL ORDER BY failed_at DESC, id DESC LIMIT $2`,
        [queue, limit],
      );
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        attempt: r.status === 'active' ? r.attempts - 1 : r.attempts,
        error: r.last_error ?? '',
        at: iso(r.failed_at),
        dead: r.status === 'dead',
      }));
    },
    async retryDeadLetter(id: string) {
      if (!/^\d{1,19}$/.test(id)) return false;
      const rows = await sql.query(
        `UPDATE jobs SET status = 'waiting', attempts = 0, run_at = now(), locked_by = NULL, locked_until = NULL
         WHERE id = $1::bigint AND queue = $2 AND status = 'dead' RETURNING id`,
        [id, queue],
      );
      for (const wake of listeners(sql, queue)) wake();
      return rows.length > 0;
    },
    async discardDeadLetter(id: string) {
      if (!/^\d{1,19}$/.test(id)) return false;
      const rows = await sql.query(`DELETE FROM jobs WHERE id = $1::bigint AND queue = $2 AND status = 'dead' RETURNING id`, [id, queue]);
      return rows.length > 0;
    },
    async close() {
      // The database belongs to the runtime; nothing of our own to close.
    },
  };
}
