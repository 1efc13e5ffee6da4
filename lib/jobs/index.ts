// The process's job queue: BullMQ on Redis when REDIS_URL is set, else the table queue in the
// embedded database. One queue ("analysis") carries every post-processing job; web nodes only add,
// worker nodes also process (server/workers).
import type { Database } from '../db';
import type { Engines } from '../engines';
import type { Logger } from '../logger';
import { flushAnalysisEnqueuer, getAnalysisEnqueuer } from './analysis-enqueuer';
import { createBullQueue } from './bullmq-queue';
import type { JobsConfig } from './config';
import { createSqlQueue } from './sql-queue';
import type { JobQueue } from './types';
import { peekProcessSlot, setProcessSlot } from '../process-state';

export * from './types';
export { jobsConfigSchema, type JobsConfig } from './config';
export { createBullQueue } from './bullmq-queue';
export { createSqlQueue } from './sql-queue';

export const ANALYSIS_QUEUE = 'analysis';

export interface JobQueueDeps {
  db: Pick<Database, 'sql' | 'kind'>;
  engines: Pick<Engines, 'kind' | 'redis' | 'prefix'>;
  /** Connection errors of the Redis queue are logged here. */
  logger?: Logger;
}

export function createJobQueue(deps: JobQueueDeps, config: JobsConfig, name = ANALYSIS_QUEUE): JobQueue {
  const defaults = { attempts: config.JOB_ATTEMPTS, backoffMs: config.JOB_BACKOFF_MS };
  if (deps.engines.kind === 'redis' && deps.engines.redis) {
    return createBullQueue({ name, redis: deps.engines.redis, prefix: deps.engines.prefix, defaults, leaseMs: config.JOB_LEASE_MS, logger: deps.logger });
  }
  return createSqlQueue({
    name,
    sql: deps.db.sql,
    defaults,
    leaseMs: config.JOB_LEASE_MS,
    pollMs: config.JOB_POLL_MS,
    // The embedded database belongs to this one process: whatever it left active died with it.
    recoverOnStart: deps.db.kind === 'embedded',
  });
}

// Route handlers are bundled apart from the server entry: the instance is process state.
const SLOT = 'jobQueue';
type Held = { owner: object; queue: JobQueue };

/**
 * The queue of this process (created on first use for the runtime's database, engines and
 * configuration), with its analysis enqueuer.
 */
export function getJobQueue(deps: JobQueueDeps & { config: JobsConfig }): JobQueue {
  const current = peekProcessSlot<Held>(SLOT);
  if (current && current.owner === deps.db) return current.queue;
  const queue = createJobQueue(deps, deps.config);
  getAnalysisEnqueuer(queue, {
    batchMs: deps.config.ENQUEUE_BATCH_MS,
    batchSize: deps.config.ENQUEUE_BATCH_SIZE,
    maxBuffered: deps.config.ENQUEUE_MAX_BUFFERED,
    logger: deps.logger,
  });
  setProcessSlot<Held>(SLOT, { owner: deps.db, queue });
  return queue;
}

/** Closes and forgets the process's queue (node shutdown), after adding what the enqueuer buffers. */
export async function closeJobQueue(): Promise<void> {
  const current = peekProcessSlot<Held>(SLOT);
  setProcessSlot(SLOT, undefined);
  if (!current) return;
  await flushAnalysisEnqueuer(current.queue);
  await current.queue.close();
}
