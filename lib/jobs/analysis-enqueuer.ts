// Enqueueing on the ingest path without slowing it: ingestIndicators' afterCommit hook hands the
// accepted public indicators to this buffer, which adds one "analyze" job per batch (up to
// ENQUEUE_BATCH_SIZE indicators, after at most ENQUEUE_BATCH_MS) in one round trip. The API's answer
// never waits for the queue. Trade-off: a process that dies within those milliseconds loses the
// request for analysis (not the indicator; the next sighting or /check asks again).
import type { IngestResult } from '../ingest/ingest-indicators';
import { parseJobsConfig } from './config';
import type { JobQueue, NewJob } from './types';

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
  batchMs?: number;
  batchSize?: number;
  onError?: (error: unknown) => void;
}

export function createAnalysisEnqueuer(queue: JobQueue, options: EnqueuerOptions = {}): AnalysisEnqueuer {
  const config = parseJobsConfig();
  const batchMs = options.batchMs ?? config.ENQUEUE_BATCH_MS;
  const batchSize = options.batchSize ?? config.ENQUEUE_BATCH_SIZE;
  let buffer: AnalysisItem[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!buffer.length) return inFlight;
    const items = buffer;
    buffer = [];
    const jobs: NewJob[] = [];
    for (let i = 0; i < items.length; i += batchSize) jobs.push({ name: 'analyze', data: { items: items.slice(i, i + batchSize), reason: 'sighting' } });
    inFlight = inFlight.then(() => queue.addBulk(jobs).then(() => undefined, (error: unknown) => options.onError?.(error)));
    return inFlight;
  };

  const add = (items: AnalysisItem[]) => {
    if (!items.length) return;
    buffer.push(...items);
    if (buffer.length >= batchSize) void flush();
    else if (!timer) {
      timer = setTimeout(() => void flush(), batchMs);
      timer.unref();
    }
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

// On globalThis: route handlers (Next's bundle) add to it and the server entry flushes it at shutdown.
const KEY = Symbol.for('sluice.analysisEnqueuers');
const enqueuers: WeakMap<JobQueue, AnalysisEnqueuer> = ((globalThis as { [KEY]?: WeakMap<JobQueue, AnalysisEnqueuer> })[KEY] ??= new WeakMap());

/** The process's enqueuer for a queue (one buffer per queue). */
export function getAnalysisEnqueuer(queue: JobQueue, options?: EnqueuerOptions): AnalysisEnqueuer {
  let enqueuer = enqueuers.get(queue);
  if (!enqueuer) enqueuers.set(queue, (enqueuer = createAnalysisEnqueuer(queue, options)));
  return enqueuer;
}

/** Adds whatever the queue's enqueuer still buffers (shutdown: before the queue closes). */
export async function flushAnalysisEnqueuer(queue: JobQueue): Promise<void> {
  await enqueuers.get(queue)?.flush();
}
