// What the admin page and `sluice admin jobs` show: depths, throughput, workers, failures, dead letters.
import type { JobFailure, JobQueue, QueueCounts, WorkerInfo } from './types';

export interface QueueOverview {
  queue: string;
  engine: JobQueue['kind'];
  counts: QueueCounts;
  /** Average over the last 10 seconds. */
  jobsPerSecond: number;
  completedPerSecond: number[];
  oldestWaitingMs: number;
  workers: WorkerInfo[];
  failures: JobFailure[];
  deadLetters: { id: string; name: string; attempts: number; lastError: string; failedAt: string; preview: string }[];
  at: string;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

export async function getQueueOverview(queue: JobQueue, seconds = 120): Promise<QueueOverview> {
  const [stats, failures, dead] = await Promise.all([queue.stats(seconds), queue.findRecentFailures(20), queue.findDeadLetters(50)]);
  // The current second is still filling up: average the ten before it.
  const recent = stats.completedPerSecond.slice(-11, -1);
  return {
    queue: queue.name,
    engine: queue.kind,
    counts: stats.counts,
    jobsPerSecond: recent.length ? Math.round((recent.reduce((a, b) => a + b, 0) / recent.length) * 10) / 10 : 0,
    completedPerSecond: stats.completedPerSecond,
    oldestWaitingMs: stats.oldestWaitingMs,
    workers: stats.workers,
    failures: failures.map((f) => ({ ...f, error: clip(f.error.split('\n', 1)[0] ?? '', 300) })),
    deadLetters: dead.map((d) => ({
      id: d.id,
      name: d.name,
      attempts: d.attempts,
      lastError: clip(d.lastError.split('\n', 1)[0] ?? '', 300),
      failedAt: d.failedAt,
      preview: clip(JSON.stringify(d.data) ?? '', 160),
    })),
    at: new Date().toISOString(),
  };
}
