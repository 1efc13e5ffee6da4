// The outbox relay: moves committed outbox rows to the firehose log in outbox order, at least once,
// and deletes them. Exactly one relay appends at a time (DESIGN.md "The log and the cursor"): on
// PostgreSQL each batch runs in a transaction holding pg_try_advisory_xact_lock, so relays on
// several nodes take turns; the embedded database is in-process, so a per-database mutex suffices.
import type { Database } from '../lib/db';
import type { SqlSession } from '../lib/db/sql-driver';
import type { FirehoseLog } from '../lib/engines';
import { onOutboxWritten } from '../lib/ingest/outbox-signal';
import type { Logger } from '../lib/logger';

/** Advisory lock key of the relay ("sluice" + "relay", an arbitrary constant shared by all nodes). */
export const RELAY_LOCK_KEY = 7_372_018_452_001n;

export interface RelayOptions {
  /** Poll interval when nothing kicks the relay, in ms. @default 250 */
  pollMs?: number;
  /** Outbox rows per batch (one append call). @default 500 */
  batchSize?: number;
  /** First retry delay after a failure; doubles up to maxBackoffMs. @default 100 */
  minBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /** An append that takes longer is abandoned (the rows stay and are appended again). @default 10000 */
  appendTimeoutMs?: number;
  /** How often to apply log retention. @default 60000 */
  trimEveryMs?: number;
}

export interface Relay {
  /** Runs a batch now (the ingest path calls it after a commit). */
  kick(): void;
  /** Stops after the batch in progress, if any. */
  stop(): Promise<void>;
}

export interface RelayDeps {
  db: Pick<Database, 'sql' | 'kind'>;
  engines: { log: FirehoseLog };
  logger: Logger;
}

interface OutboxRow extends Record<string, unknown> {
  id: string;
  payload: unknown;
}

// Embedded mode: relays sharing one in-process database take turns through this chain.
const embeddedLocks = new WeakMap<object, Promise<unknown>>();

function withEmbeddedLock<T>(key: object, fn: () => Promise<T>): Promise<T> {
  const previous = embeddedLocks.get(key) ?? Promise.resolve();
  const run = previous.then(fn, fn);
  embeddedLocks.set(key, run.catch(() => undefined));
  return run;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One batch: read the oldest outbox rows, append them to the log in id order, delete them.
 * Returns how many rows were relayed, or -1 when another relay holds the lock.
 * A failure after the append leaves the rows in place: they are appended again (at least once).
 */
export async function relayBatch(deps: RelayDeps, options: Required<Pick<RelayOptions, 'batchSize' | 'appendTimeoutMs'>>): Promise<number> {
  const { db, engines } = deps;
  const move = async (session: SqlSession) => {
    const rows = await session.query<OutboxRow>(`SELECT o.id::text AS id, o.payload FROM outbox o ORDER BY o.id LIMIT $1`, [options.batchSize]);
    if (!rows.length) return 0;
    // jsonb comes back parsed; re-encoding keeps the event exactly as the ingest path wrote it.
    const data = rows.map((row) => (typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload)));
    await withTimeout(engines.log.append(data), options.appendTimeoutMs, 'log append');
    await session.query(`DELETE FROM outbox WHERE id = ANY($1::bigint[])`, [rows.map((r) => r.id)]);
    return rows.length;
  };
  if (db.kind === 'embedded') return withEmbeddedLock(db.sql, () => move(db.sql));
  return db.sql.transaction(async (tx) => {
    const [lock] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock($1::bigint) AS locked`, [RELAY_LOCK_KEY.toString()]);
    if (!lock?.locked) return -1;
    return move(tx);
  });
}

export function startRelay(deps: RelayDeps, options: RelayOptions = {}): Relay {
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const minBackoffMs = options.minBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const appendTimeoutMs = options.appendTimeoutMs ?? 10_000;
  const trimEveryMs = options.trimEveryMs ?? 60_000;
  const log = deps.logger.child({ module: 'relay' });

  let stopped = false;
  let kicked = false;
  let wake: (() => void) | null = null;
  let failures = 0;
  let lastTrim = Date.now();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = null;
        resolve();
      }
      wake = done;
    });

  const kick = () => {
    kicked = true;
    // While backing off from a failing log, new commits wait for the next retry.
    if (failures === 0) wake?.();
  };
  const unsubscribe = onOutboxWritten(kick);

  const loop = (async () => {
    while (!stopped) {
      kicked = false;
      let delay = pollMs;
      try {
        const moved = await relayBatch(deps, { batchSize, appendTimeoutMs });
        if (failures) log.info({ failures }, 'relay recovered: the firehose log accepts events again');
        failures = 0;
        if (moved === batchSize) delay = 0; // more is waiting: keep going
        if (Date.now() - lastTrim >= trimEveryMs) {
          lastTrim = Date.now();
          await deps.engines.log.trim().catch((error: unknown) => log.warn({ err: error }, 'log trim failed'));
        }
      } catch (error) {
        failures += 1;
        delay = Math.min(maxBackoffMs, minBackoffMs * 2 ** Math.min(failures - 1, 16));
        // Loud once, then quietly until it recovers: an outage is one incident, not a log flood.
        if (failures === 1) log.error({ err: error }, 'relay failed; outbox rows are kept and retried');
        else log.debug({ err: error, failures, delay }, 'relay still failing');
      }
      if (stopped) break;
      // A kick during a healthy batch runs the next one at once; during backoff it does not.
      if (delay > 0 && !(kicked && failures === 0)) await sleep(delay);
    }
  })();

  return {
    kick,
    async stop() {
      stopped = true;
      unsubscribe();
      wake?.();
      await loop;
    },
  };
}
