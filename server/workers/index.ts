// The worker role: processes the analysis queue with a configurable concurrency, raises the
// dead-letter alert, and schedules the periodic expiry scan and account deletion sweep. Several
// worker processes (on any nodes) share the queue; stop() finishes in-flight jobs or returns them
// to the queue.
import { raiseDeadLetterAlert } from '../../lib/alerts';
import { allowListFromConfig } from '../../lib/ingest';
import { ANALYSIS_QUEUE, getJobQueue, type JobHandler, type JobQueue, type JobsConfig } from '../../lib/jobs';
import type { Runtime } from '../../lib/runtime';
import { jobMetrics } from '../metrics';
import { createAnalysisHandler, jobsPerSet } from './analysis-handler';
import { ACCOUNT_DELETION_JOB, withAccountDeletions } from './account-deletion-handler';

export interface StartWorkersOptions {
  /** @default WORKER_CONCURRENCY */
  concurrency?: number;
  /** The queue to process. @default the process's analysis queue */
  queue?: JobQueue;
  /** @default the analysis handler */
  handler?: JobHandler;
  /** Schedule the periodic expiry scan. @default true */
  scheduler?: boolean;
  config?: JobsConfig;
}

export interface Workers {
  queue: JobQueue;
  stop(): Promise<void>;
}

export function startWorkers(runtime: Pick<Runtime, 'config' | 'db' | 'engines' | 'logger'>, options: StartWorkersOptions = {}): Workers {
  const config = options.config ?? runtime.config;
  const queue = options.queue ?? getJobQueue(runtime);
  const log = runtime.logger.child({ module: 'workers', queue: queue.name });
  const concurrency = options.concurrency ?? config.WORKER_CONCURRENCY;
  const handler =
    options.handler ??
    withAccountDeletions(
      runtime,
      createAnalysisHandler(
        {
          sql: runtime.db.sql,
          allowList: allowListFromConfig(runtime.config),
          config,
          observe: (analyzer, ms) => jobMetrics.analyzerDuration.observe({ analyzer }, ms / 1000),
        },
        // The jobs this process holds at the same time run as sets of statements (analysis-handler.ts).
        { maxJobsPerSet: jobsPerSet(concurrency) },
      ),
    );
  const labels = (name: string) => ({ queue: queue.name, name });

  const worker = queue.process(handler, {
    concurrency,
    onCompleted: (job) => {
      jobMetrics.completed.inc(labels(job.name));
      jobMetrics.duration.observe(labels(job.name), job.ms / 1000);
    },
    onFailure: (failure) => {
      jobMetrics.failed.inc(labels(failure.name));
      if (!failure.dead) log.warn({ jobId: failure.id, job: failure.name, attempt: failure.attempt, err: failure.error.split('\n', 1)[0] }, 'job failed; will retry');
    },
    onDeadLetter: async ({ job }) => {
      await raiseDeadLetterAlert({ logger: log, webhookUrl: runtime.config.ALERT_WEBHOOK_URL, counter: jobMetrics.deadLettered }, queue.name, job);
    },
  });

  // Every worker node ticks; the de-duplication key keeps one scan pending at a time.
  let scheduler: NodeJS.Timeout | null = null;
  let first: NodeJS.Timeout | null = null;
  if (options.scheduler !== false && queue.name === ANALYSIS_QUEUE) {
    const tick = () => {
      queue.add('expire', {}, { key: 'expire-scan', attempts: 3 }).catch((error: unknown) => log.warn({ err: error }, 'could not schedule the expiry scan'));
      queue
        .add(ACCOUNT_DELETION_JOB, {}, { key: 'account-deletion-sweep', attempts: 3 })
        .catch((error: unknown) => log.warn({ err: error }, 'could not schedule the account deletion sweep'));
    };
    first = setTimeout(tick, 5000);
    first.unref();
    scheduler = setInterval(tick, config.EXPIRY_SCAN_SECONDS * 1000);
    scheduler.unref();
  }
  log.info({ worker: worker.id, concurrency, engine: queue.kind }, 'workers started');

  return {
    queue,
    async stop() {
      if (scheduler) clearInterval(scheduler);
      if (first) clearTimeout(first);
      await worker.stop(config.WORKER_SHUTDOWN_GRACE_MS);
      log.info({ worker: worker.id }, 'workers stopped');
    },
  };
}
