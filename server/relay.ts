// The outbox relay: moves committed outbox rows into the durable firehose log in outbox order, in
// one transaction per batch (a row leaves the outbox exactly when it enters the log), then copies
// them to the log's cache. Exactly one relay writes at a time (DESIGN.md "The log and the
// cursor"): a PostgreSQL advisory lock on real PostgreSQL, an in-process chain when embedded
// (lib/engines/log/durable-log.ts). It also applies retention and refills an emptied cache.
import type { DurableLog } from '../lib/engines';
import { LOG_BUSY } from '../lib/engines/log/durable-log';
import { onOutboxWritten } from '../lib/ingest/outbox-signal';
import type { Logger } from '../lib/logger';

export interface RelayOptions {
  /** Poll interval when nothing kicks the relay, in ms. @default 250 */
  pollMs?: number;
  /** Outbox rows per batch (one transaction). @default 500 */
  batchSize?: number;
  /** First retry delay after a failure; doubles up to maxBackoffMs. @default 100 */
  minBackoffMs?: number;
  /** @default 5000 */
  maxBackoffMs?: number;
  /** How often to apply log retention. @default 60000 */
  trimEveryMs?: number;
  /** How often to check that the cache holds the log's tail (refilling it after a Redis restart). @default 1000 */
  syncEveryMs?: number;
}

export interface Relay {
  /** Runs a batch now (the ingest path calls it after a commit). */
  kick(): void;
  /** Stops after the batch in progress, if any. */
  stop(): Promise<void>;
}

export interface RelayDeps {
  engines: { log: DurableLog };
  logger: Logger;
}

/**
 * One batch: returns how many outbox rows entered the log, or -1 when another relay holds the lock.
 */
export function relayBatch(deps: RelayDeps, options: { batchSize: number }): Promise<number> {
  return deps.engines.log.appendFromOutbox(options.batchSize);
}

export function startRelay(deps: RelayDeps, options: RelayOptions = {}): Relay {
  const pollMs = options.pollMs ?? 250;
  const batchSize = options.batchSize ?? 500;
  const minBackoffMs = options.minBackoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const trimEveryMs = options.trimEveryMs ?? 60_000;
  const syncEveryMs = options.syncEveryMs ?? 1000;
  const log = deps.logger.child({ module: 'relay' });

  let stopped = false;
  let kicked = false;
  let wake: (() => void) | null = null;
  let failures = 0;
  let lastTrim = Date.now();
  let lastSync = 0;

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
    // While backing off from a failing database, new commits wait for the next retry.
    if (failures === 0) wake?.();
  };
  const unsubscribe = onOutboxWritten(kick);

  const loop = (async () => {
    while (!stopped) {
      kicked = false;
      let delay = pollMs;
      try {
        const moved = await relayBatch(deps, { batchSize });
        if (failures) log.info({ failures }, 'relay recovered: the outbox moves into the log again');
        failures = 0;
        if (moved === batchSize) delay = 0; // more is waiting: keep going
        if (moved !== LOG_BUSY && moved < batchSize && Date.now() - lastSync >= syncEveryMs) {
          lastSync = Date.now();
          await deps.engines.log.syncCache().catch((error: unknown) => log.debug({ err: error }, 'log cache refill failed'));
        }
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
