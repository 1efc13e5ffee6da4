// The job queue, one suite for both engines (BullMQ on real Redis, and the table queue of the
// embedded engine): retries with growing delays, the dead-letter queue and its alert (log line,
// metric, webhook), retry and discard from the dead-letter queue, and a worker SIGKILLed mid-job.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db';
import type { Engines } from '@/lib/engines';
import type { JobRun } from '@/lib/jobs';
import { jobMetrics } from '@/server/metrics';
import { startWorkers } from '@/server/workers';
import { createTestDatabase, deleteRedisPrefix, uniqueName, type TestDatabase } from '@/tests/helpers/test-env';
import { captureLogger, ENGINES, queueFor, redisEngines, startWebhook, testJobsConfig, waitFor } from './helpers';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe.each(ENGINES)('job queue: $name', ({ kind }) => {
  let t: TestDatabase;
  let engines: (Engines & { env: Record<string, string> }) | null = null;

  beforeAll(async () => {
    t = await createTestDatabase();
    if (kind === 'redis') engines = redisEngines();
  });
  afterAll(async () => {
    if (engines) {
      await deleteRedisPrefix(engines);
      await engines.close();
    }
    await t?.drop().catch(() => undefined);
  });

  it('retries a failing job with growing delays, dead-letters it with an alert, and retries it from the DLQ', async () => {
    const config = testJobsConfig({ JOB_ATTEMPTS: 4, JOB_BACKOFF_MS: 150 });
    const queue = queueFor(kind, t.db, engines, config);
    const webhook = await startWebhook();
    const { logger, lines } = captureLogger();
    const runs: { at: number; attempt: number; final: boolean }[] = [];
    let healthy = false;
    const handler = async (run: JobRun) => {
      runs.push({ at: Date.now(), attempt: run.attempt, final: run.isFinalAttempt });
      if (!healthy) throw new Error('boom: upstream said no');
    };
    const before = (await jobMetrics.deadLettered.get()).values.find((v) => v.labels.queue === queue.name)?.value ?? 0;
    const workers = startWorkers(
      { config: { ALERT_WEBHOOK_URL: webhook.url } as never, db: t.db, engines: engines ?? ({ kind: 'memory', redis: null, prefix: '' } as never), logger },
      { queue, handler, scheduler: false, concurrency: 2, config },
    );
    try {
      const id = await queue.add('always-fails', { n: 1 });
      expect(id).toBeTruthy();
      const dead = await waitFor(async () => (await queue.findDeadLetters()).find((d) => d.name === 'always-fails'), 20_000, 'the dead letter');

      expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3, 4]);
      expect(runs.map((r) => r.final)).toEqual([false, false, false, true]);
      const delays = runs.slice(1).map((r, i) => r.at - runs[i].at);
      console.log(`${kind}: retry delays ${delays.join(', ')} ms (scheduled 150, 300, 600)`);
      // A retry never runs before its backoff (150 ms doubling), however loaded the machine: lower
      // bounds only, since polling and load can only add to them.
      expect(delays[0]).toBeGreaterThanOrEqual(140);
      expect(delays[1]).toBeGreaterThanOrEqual(290);
      expect(delays[2]).toBeGreaterThanOrEqual(590);
      expect(dead.attempts).toBe(4);
      expect(dead.lastError).toContain('boom: upstream said no');
      expect(dead.data).toEqual({ n: 1 });
      expect((await queue.stats()).counts.dead).toBe(1);
      const failures = await queue.findRecentFailures();
      expect(failures[0]).toMatchObject({ name: 'always-fails', dead: true });

      // The alert: an error line naming the job and its last error, the metric, the webhook.
      const line = await waitFor(() => lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.alert === 'job.dead_lettered'));
      expect(line.level).toBe(50);
      expect(line).toMatchObject({ queue: queue.name, job: { id: dead.id, name: 'always-fails', attempts: 4 } });
      expect(String(line.lastError)).toContain('boom');
      const after = (await jobMetrics.deadLettered.get()).values.find((v) => v.labels.queue === queue.name)?.value ?? 0;
      expect(after - before).toBe(1);
      await waitFor(() => webhook.bodies.length > 0, 5000, 'the webhook');
      expect(webhook.bodies[0]).toMatchObject({ type: 'job.dead_lettered', queue: queue.name, job: { id: dead.id, name: 'always-fails' } });

      // Retried from the dead-letter queue: it runs again (now succeeding) and leaves the DLQ.
      healthy = true;
      expect(await queue.retryDeadLetter(dead.id)).toBe(true);
      await waitFor(() => runs.length === 5, 10_000, 'the retried run');
      await waitFor(async () => (await queue.findDeadLetters()).length === 0, 5000, 'an empty DLQ');
      expect(runs[4].attempt).toBe(1);
      expect(await queue.retryDeadLetter(dead.id)).toBe(false);
    } finally {
      await workers.stop();
      await queue.close();
      webhook.server.close();
    }
  });

  it('discards a dead letter', async () => {
    const config = testJobsConfig({ JOB_ATTEMPTS: 1, JOB_BACKOFF_MS: 10 });
    const queue = queueFor(kind, t.db, engines, config);
    const worker = queue.process(async () => {
      throw new Error('nope');
    }, { concurrency: 1 });
    try {
      await queue.add('fails-once', {});
      const dead = await waitFor(async () => (await queue.findDeadLetters())[0], 10_000, 'the dead letter');
      expect(await queue.discardDeadLetter(dead.id)).toBe(true);
      expect(await queue.findDeadLetters()).toEqual([]);
      expect(await queue.discardDeadLetter(dead.id)).toBe(false);
    } finally {
      await worker.stop();
      await queue.close();
    }
  });

  it('spreads jobs over several workers, reports them alive, and counts throughput', async () => {
    const config = testJobsConfig();
    const queue = queueFor(kind, t.db, engines, config);
    const seen = new Map<string, number>();
    const make = () => queue.process(async (run) => {
      seen.set(run.id, (seen.get(run.id) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 5));
    }, { concurrency: 4 });
    const a = make();
    const b = make();
    try {
      await queue.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: 'work', data: { i } })));
      await waitFor(() => seen.size === 200, 20_000, '200 jobs');
      expect([...seen.values()].every((n) => n === 1)).toBe(true);
      const stats = await queue.stats(60);
      expect(stats.workers.map((w) => w.id).sort()).toEqual([a.id, b.id].sort());
      await waitFor(async () => (await queue.stats(60)).completedPerSecond.reduce((x, y) => x + y, 0) >= 200, 5000, 'throughput figures');
    } finally {
      await Promise.all([a.stop(), b.stop()]);
      await queue.close();
    }
  });

  it('graceful stop returns a job that does not finish in time', async () => {
    const config = testJobsConfig({ JOB_LEASE_MS: 60_000 });
    const queue = queueFor(kind, t.db, engines, config);
    let started = false;
    const stuck = queue.process(async (run) => {
      started = true;
      await new Promise((resolve) => run.signal.addEventListener('abort', resolve));
    }, { concurrency: 1 });
    await queue.add('slow', {});
    await waitFor(() => started, 10_000, 'the job to start');
    await stuck.stop(200);
    const runs: JobRun[] = [];
    const next = queue.process(async (run) => void runs.push(run), { concurrency: 1 });
    try {
      // Returned at once (not after the 60 s lease), and the interrupted run is not a failure.
      await waitFor(() => runs.length === 1, 10_000, 'the returned job to run again');
      expect((await queue.findDeadLetters()).length).toBe(0);
    } finally {
      await next.stop();
      await queue.close();
    }
  });

  it('does not lose the job of a worker process killed with SIGKILL mid-job', async () => {
    const config = testJobsConfig({ JOB_LEASE_MS: 1000 });
    const name = uniqueName('q');
    let queue = queueFor(kind, t.db, engines, config, name);
    const jobId = await queue.add('survives', { hello: 'world' });
    await queue.close();
    let db = t.db;
    // An embedded database belongs to one process (the child opens it whatever the queue engine):
    // hand it to the child, take it back after.
    const embedded = t.db.kind === 'embedded';
    if (embedded) await t.db.close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/integration/jobs/worker-child.mts'], {
      cwd: ROOT,
      env: { ...process.env, ...t.env, ...(engines?.env ?? {}), CHILD_QUEUE: name, CHILD_KIND: kind, JOB_LEASE_MS: '1000' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((r) => child.once('exit', r));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('child did not start the job')), 30_000);
      createInterface({ input: child.stdout! }).on('line', (line) => {
        if (line === `STARTED ${jobId}`) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    child.kill('SIGKILL');
    await exited;
    if (embedded) {
      db = await openDatabase({ DATA_DIR: t.env.DATA_DIR });
      t.db = db;
    }
    queue = queueFor(kind, db, engines, config, name);
    const runs: JobRun[] = [];
    const worker = queue.process(async (run) => void runs.push(run), { concurrency: 1 });
    try {
      await waitFor(() => runs.length === 1, 20_000, 'the killed job to run again');
      expect(runs[0]).toMatchObject({ id: jobId, name: 'survives', data: { hello: 'world' } });
      // The handler has returned; the completion is recorded right after it.
      const counts = await waitFor(async () => {
        const current = (await queue.stats()).counts;
        return current.active === 0 ? current : null;
      }, 10_000, 'the job to be recorded as completed');
      expect(counts).toMatchObject({ waiting: 0, active: 0, dead: 0 });
    } finally {
      await worker.stop();
      await queue.close();
    }
  });
});
