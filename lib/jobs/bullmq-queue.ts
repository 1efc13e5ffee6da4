// The job queue on Redis through BullMQ: workers on any number of nodes share it. BullMQ gives
// retries with exponential backoff, leases (locks) and stalled-job recovery; it has no dead-letter
// queue, so a job's final failure moves it into a second queue "<name>-dead" that no worker reads.
// Throughput buckets, worker heartbeats and recent failures are small keys of our own.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { DelayedError, Queue, WaitingError, Worker, type Job, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { reportConnectionErrors } from '../connection-errors';
import { isUnavailableError } from '../errors';
import type { Logger } from '../logger';
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
  WorkerInfo,
} from './types';
import { unavailableJobDelayMs } from './types';

export interface BullQueueOptions {
  name: string;
  /** The runtime's shared connection; BullMQ gets duplicates of it. */
  redis: Redis;
  /** Key prefix (REDIS_PREFIX). */
  prefix: string;
  defaults: { attempts: number; backoffMs: number };
  /** BullMQ lockDuration and stalled-check interval. @default 30000 */
  leaseMs?: number;
  /** Connection errors are logged here (once per outage at warn level). */
  logger?: Logger;
}

interface DeadData {
  name: string;
  data: JobData;
  attempts: number;
  lastError: string;
  failedAt: string;
}

const errorText = (error: unknown) => (error instanceof Error ? error.stack ?? error.message : String(error)).slice(0, 4000);
const WORKER_TTL_MS = 15_000;

export function createBullQueue(options: BullQueueOptions): JobQueue {
  const { name, prefix, redis } = options;
  const leaseMs = options.leaseMs ?? 30_000;
  const bullPrefix = `${prefix}bull`;
  const keys = {
    failures: `${prefix}jobs:${name}:failures`,
    done: (second: number) => `${prefix}jobs:${name}:done:${second}`,
    workers: `${prefix}jobs:${name}:workers`,
    workerInfo: `${prefix}jobs:${name}:worker-info`,
  };
  const connection = redis.duplicate({ maxRetriesPerRequest: null });
  reportConnectionErrors(connection, options.logger, `job queue ${name}: Redis`);
  const queue = new Queue(name, { connection, prefix: bullPrefix });
  const dead = new Queue(`${name}-dead`, { connection, prefix: bullPrefix });
  reportConnectionErrors(queue, options.logger, `job queue ${name}`);
  reportConnectionErrors(dead, options.logger, `job queue ${name}-dead`);

  const jobOptions = (o: AddJobOptions = {}): JobsOptions => ({
    attempts: o.attempts ?? options.defaults.attempts,
    backoff: { type: 'exponential', delay: o.backoffMs ?? options.defaults.backoffMs },
    ...(o.delayMs ? { delay: o.delayMs } : {}),
    ...(o.key ? { deduplication: { id: o.key } } : {}),
    removeOnComplete: { age: 600, count: 10_000 },
    removeOnFail: { age: 86_400, count: 1000 },
  });

  async function addBulk(jobs: NewJob[]): Promise<(string | null)[]> {
    if (!jobs.length) return [];
    const added = await queue.addBulk(jobs.map((j) => ({ name: j.name, data: j.data, opts: jobOptions(j.options) })));
    return added.map((j) => j.id ?? null);
  }

  async function recordFailure(failure: JobFailure) {
    await redis.multi().lpush(keys.failures, JSON.stringify(failure)).ltrim(keys.failures, 0, 99).exec();
  }

  function processJobs(handler: JobHandler, processOptions: ProcessOptions): QueueWorker {
    const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const concurrency = Math.max(1, processOptions.concurrency);
    const aborts = new Set<AbortController>();
    const startedAt = new Date().toISOString();

    // Completed jobs are counted per second locally and flushed twice a second (not one INCR a job).
    const pendingDone = new Map<number, number>();
    const flushDone = async () => {
      if (!pendingDone.size) return;
      const multi = redis.multi();
      for (const [second, n] of pendingDone) multi.incrby(keys.done(second), n).expire(keys.done(second), 900);
      pendingDone.clear();
      await multi.exec();
    };
    const beat = async () => {
      const info: WorkerInfo = { id: workerId, host: hostname(), pid: process.pid, concurrency, startedAt, seenAt: new Date().toISOString() };
      await redis
        .multi()
        .zadd(keys.workers, Date.now(), workerId)
        .hset(keys.workerInfo, workerId, JSON.stringify(info))
        .zremrangebyscore(keys.workers, 0, Date.now() - 3_600_000)
        .exec();
    };
    const timers = [
      setInterval(() => flushDone().catch(() => undefined), 500),
      setInterval(() => beat().catch(() => undefined), 5000),
    ];
    beat().catch(() => undefined);

    const moveToDead = async (job: Job, error: string, attempts: number) => {
      // BullMQ refuses integer-like custom ids: the dead letter of job 17 is "dead-17".
      const id = `dead-${job.id ?? randomUUID()}`;
      if (await dead.getJob(id)) return; // already dead-lettered (a re-run after a crash)
      const entry: DeadData = { name: job.name, data: job.data as JobData, attempts, lastError: error, failedAt: new Date().toISOString() };
      await dead.add(job.name, entry, { jobId: id, removeOnComplete: true });
      const failure = { id, name: job.name, attempt: attempts, error, at: entry.failedAt, dead: true };
      processOptions.onFailure?.(failure);
      await recordFailure(failure).catch(() => undefined);
      await processOptions.onDeadLetter?.({ job: { id, ...entry } });
    };

    const workerConnection = redis.duplicate({ maxRetriesPerRequest: null });
    reportConnectionErrors(workerConnection, options.logger, `job worker ${name}: Redis`);
    const worker = new Worker(
      name,
      async (job: Job, token?: string) => {
        const attempt = job.attemptsMade + 1;
        const maxAttempts = job.opts.attempts ?? 1;
        const abort = new AbortController();
        aborts.add(abort);
        const started = Date.now();
        try {
          const aborted = new Promise<'aborted'>((resolve) => abort.signal.addEventListener('abort', () => resolve('aborted'), { once: true }));
          const outcome = await Promise.race([
            handler({ id: job.id ?? '', name: job.name, data: job.data as JobData, attempt, maxAttempts, isFinalAttempt: attempt >= maxAttempts, signal: abort.signal }),
            aborted,
          ]);
          if (outcome === 'aborted') {
            // Shutdown stopped waiting for this run: hand the job back now rather than after its lock expires.
            await job.moveToWait(token);
            throw new WaitingError();
          }
          const second = Math.floor(Date.now() / 1000);
          pendingDone.set(second, (pendingDone.get(second) ?? 0) + 1);
          processOptions.onCompleted?.({ id: job.id ?? '', name: job.name, ms: Date.now() - started });
          return null;
        } catch (error) {
          if (error instanceof WaitingError) throw error;
          if (isUnavailableError(error) && token) {
            // Not the job's failure: a dependency is down. Delayed without counting the attempt.
            await job.moveToDelayed(Date.now() + unavailableJobDelayMs(), token);
            throw new DelayedError();
          }
          const text = errorText(error);
          if (attempt >= maxAttempts) {
            await moveToDead(job, text, attempt);
          } else {
            const failure = { id: job.id ?? '', name: job.name, attempt, error: text, at: new Date().toISOString(), dead: false };
            processOptions.onFailure?.(failure);
            await recordFailure(failure).catch(() => undefined);
          }
          throw error;
        } finally {
          aborts.delete(abort);
        }
      },
      {
        connection: workerConnection,
        prefix: bullPrefix,
        concurrency,
        name: workerId,
        lockDuration: leaseMs,
        stalledInterval: leaseMs,
        // A job whose worker keeps dying is retried a few times, then failed (and dead-lettered below).
        maxStalledCount: 3,
      },
    );
    reportConnectionErrors(worker, options.logger, `job worker ${name}`);
    // Jobs failed by the stalled checker never reach the processor's catch.
    worker.on('failed', (job, error) => {
      if (job && /stalled/i.test(error.message) && !(error instanceof WaitingError)) {
        moveToDead(job, error.message, job.attemptsMade).catch(() => undefined);
      }
    });

    return {
      id: workerId,
      async stop(graceMs = 10_000) {
        const closing = worker.close();
        let timer: NodeJS.Timeout | undefined;
        const timedOut = await Promise.race([closing.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs)))]);
        clearTimeout(timer);
        if (timedOut) {
          for (const abort of aborts) abort.abort();
          await closing;
        }
        await workerConnection.quit().catch(() => workerConnection.disconnect());
        for (const t of timers) clearInterval(t);
        await flushDone().catch(() => undefined);
        await redis.multi().zrem(keys.workers, workerId).hdel(keys.workerInfo, workerId).exec().catch(() => undefined);
      },
    };
  }

  const toDeadLetter = (job: Job): DeadLetter => {
    const d = job.data as DeadData;
    return { id: job.id ?? '', name: d.name, data: d.data, attempts: d.attempts, lastError: d.lastError, failedAt: d.failedAt };
  };

  return {
    kind: 'bullmq',
    name,
    async add(jobName: string, data: JobData, opts?: AddJobOptions) {
      const [id] = await addBulk([{ name: jobName, data, options: opts }]);
      return id ?? null;
    },
    addBulk,
    process: processJobs,
    async stats(seconds = 60): Promise<QueueStats> {
      const now = Date.now();
      const nowSecond = Math.floor(now / 1000);
      const [counts, deadCount, oldest, doneValues, workerIds] = await Promise.all([
        queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized'),
        dead.getJobCountByTypes('waiting'),
        queue.getJobs(['waiting'], 0, 0, true),
        redis.mget(...Array.from({ length: seconds }, (_, i) => keys.done(nowSecond - seconds + 1 + i))),
        redis.zrangebyscore(keys.workers, now - WORKER_TTL_MS, '+inf'),
      ]);
      const infos = workerIds.length ? await redis.hmget(keys.workerInfo, ...workerIds) : [];
      return {
        counts: {
          waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          dead: deadCount,
        },
        workers: infos.filter((x): x is string => Boolean(x)).map((x) => JSON.parse(x) as WorkerInfo),
        completedPerSecond: doneValues.map((v) => Number(v ?? 0)),
        oldestWaitingMs: oldest[0]?.timestamp ? Math.max(0, now - oldest[0].timestamp) : 0,
      };
    },
    async findDeadLetters(limit = 50) {
      const jobs = await dead.getJobs(['waiting'], 0, limit - 1, false);
      return jobs.filter(Boolean).map(toDeadLetter);
    },
    async findRecentFailures(limit = 20) {
      const rows = await redis.lrange(keys.failures, 0, limit - 1);
      return rows.map((r) => JSON.parse(r) as JobFailure);
    },
    async retryDeadLetter(id: string) {
      const job = await dead.getJob(id);
      if (!job) return false;
      const d = job.data as DeadData;
      await queue.add(d.name, d.data, jobOptions());
      await job.remove();
      return true;
    },
    async discardDeadLetter(id: string) {
      const job = await dead.getJob(id);
      if (!job) return false;
      await job.remove();
      return true;
    },
    async close() {
      await Promise.all([queue.close(), dead.close()]);
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
