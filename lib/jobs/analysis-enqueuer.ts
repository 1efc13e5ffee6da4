// Enqueueing on the ingest path without slowing it: ingestIndicators' afterCommit hook hands the
// accepted public indicators to this buffer, which adds one "analyze" job per batch (up to
// ENQUEUE_BATCH_SIZE indicators, after at most ENQUEUE_BATCH_MS) in one round trip. The API's answer
// never waits for the queue. Trade-offs: a process that dies within those milliseconds loses the
// request for analysis (not the indicator; the next sighting or /check asks again), and while the
// queue is unreachable at most ENQUEUE_MAX_BUFFERED indicators wait (the oldest beyond are dropped,
// counted and logged). A graceful stop flushes the buffer before the queue closes.
import type { IngestResult } from '../ingest/ingest-indicators';
import type { Logger } from '../logger';
import type { JobQueue, NewJob } from './types';
import { processSlot } from '../process-state';
import { withTimeout } from '../timeout';

export interface AnalysisItem {
  /** type */
  t: string;
  /** value */
  v: string;
  /** from a public sighting */
  p: boolean;
}

export interface AnalysisEnqueuer {
  /** The afterCommit hook for ingestIndicators. */
  afterCommit(result: IngestResult): void;
  add(items: AnalysisItem[]): void;
  /** Adds what is buffered now. */
  flush(): Promise<void>;
}

export interface EnqueuerOptions {
  /** @default 50 */
  batchMs?: number;
  /** @default 500 */
  batchSize?: number;
  /** Most indicators held while the queue does not take them; the oldest go first. @default 50000 */
  maxBuffered?: number;
  /** First retry delay after the queue refused a batch; doubles up to 5 s. @default 200 */
  retryMs?: number;
  /** A queue call that takes longer counts as failed (its items are retried). @default 10000 */
  addTimeoutMs?: number;
  logger?: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

/** What every enqueuer of this process did (read by /metrics through server/workers). */
export interface EnqueuerStats {
  /** Indicators waiting in buffers now. */
  buffered: number;
  /** Indicators dropped because a buffer was full (the queue unreachable for long). */
  dropped: number;
}

/** Process-wide figures for /metrics (lib/process-state: one copy however Next bundles this). */
export const enqueuerStats = (): EnqueuerStats => processSlot('analysisEnqueuerStats', () => ({ buffered: 0, dropped: 0 }));

const withQueueTimeout = <T>(promise: Promise<T>, ms: number) => withTimeout(promise, ms, () => new Error(`the job queue did not answer within ${ms} ms`));

/**
 * One buffer per queue, bounded: while the queue is unreachable (Redis down) the items wait and are
 * retried with backoff; past `maxBuffered` the oldest are dropped, counted (enqueuerStats.dropped)
 * and logged once per outage. One add is in flight at a time, so waiting items live only in the
 * buffer.
 */
export function createAnalysisEnqueuer(queue: JobQueue, options: EnqueuerOptions = {}): AnalysisEnqueuer {
  const batchMs = options.batchMs ?? 50;
  const batchSize = options.batchSize ?? 500;
  const maxBuffered = options.maxBuffered ?? 50_000;
  const retryMs = options.retryMs ?? 200;
  const addTimeoutMs = options.addTimeoutMs ?? 10_000;
  const log = options.logger;
  let buffer: AnalysisItem[] = [];
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let failures = 0;
  let droppedThisOutage = 0;
  /** Items at the front of the buffer that an add in flight carries: never dropped. */
  let sending = 0;

  const setBuffer = (next: AnalysisItem[]) => {
    enqueuerStats().buffered += next.length - buffer.length;
    buffer = next;
  };

  const schedule = (ms: number) => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void drain();
    }, ms);
    timer.unref();
  };

  /** Adds everything buffered, a bounded slice per round trip; on failure keeps it and backs off. */
  const drain = (): Promise<void> => {
    if (running) return running;
    running = (async () => {
      while (buffer.length) {
        const items = buffer.slice(0, batchSize * 20);
        const jobs: NewJob[] = [];
        // `at`: when the job was added (ms since the epoch), for measuring queue lag end to end.
        const at = Date.now();
        for (let i = 0; i < items.length; i += batchSize) jobs.push({ name: 'analyze', data: { items: items.slice(i, i + batchSize), reason: 'sighting', at } });
        sending = items.length;
        try {
          await withQueueTimeout(queue.addBulk(jobs), addTimeoutMs);
        } catch (error) {
          sending = 0;
          failures += 1;
          if (failures === 1) log?.warn({ err: error, buffered: buffer.length }, 'analysis enqueue failed; indicators wait in a bounded buffer and are retried');
          else log?.debug({ err: error, failures, buffered: buffer.length }, 'analysis enqueue still failing');
          schedule(Math.min(5000, retryMs * 2 ** Math.min(failures - 1, 10)));
          return;
        }
        // Added: remove exactly those from the front (new items were appended behind them).
        sending = 0;
        setBuffer(buffer.slice(items.length));
        if (failures) log?.info({ failures, dropped: droppedThisOutage }, 'analysis enqueue recovered');
        failures = 0;
        droppedThisOutage = 0;
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const flush = async (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    await running;
    await drain();
  };

  const add = (items: AnalysisItem[]) => {
    if (!items.length) return;
    let next = buffer.concat(items);
    if (next.length > maxBuffered) {
      // While an add is in flight its items sit at the front; they stay, the oldest others go.
      const excess = Math.min(next.length - maxBuffered, next.length - sending);
      next = next.slice(0, sending).concat(next.slice(sending + excess));
      enqueuerStats().dropped += excess;
      if (droppedThisOutage === 0) log?.warn({ maxBuffered }, 'analysis enqueue buffer full: dropping the oldest indicators (their next sighting or a check asks again)');
      droppedThisOutage += excess;
    }
    setBuffer(next);
    if (failures) return; // the retry timer drains
    if (buffer.length >= batchSize) void drain();
    else schedule(batchMs);
  };

  return {
    add,
    flush,
    afterCommit(result) {
      // Private sightings are not analysed: an analysis appearing for a value would tell others it was reported.
      if (!result.feed.public) return;
      const items: AnalysisItem[] = [];
      for (const r of result.results) if (r.status === 'accepted') items.push({ t: r.type, v: r.value, p: true });
      add(items);
    },
  };
}

// Process state: route handlers (Next's bundle) add to it and the server entry flushes it at shutdown.
const enqueuers = () => processSlot('analysisEnqueuers', () => new WeakMap<JobQueue, AnalysisEnqueuer>());

/** The process's enqueuer for a queue (one buffer per queue). */
export function getAnalysisEnqueuer(queue: JobQueue, options?: EnqueuerOptions): AnalysisEnqueuer {
  let enqueuer = enqueuers().get(queue);
  if (!enqueuer) enqueuers().set(queue, (enqueuer = createAnalysisEnqueuer(queue, options)));
  return enqueuer;
}

/** Adds whatever the queue's enqueuer still buffers (shutdown: before the queue closes). */
export async function flushAnalysisEnqueuer(queue: JobQueue): Promise<void> {
  await enqueuers().get(queue)?.flush();
}
