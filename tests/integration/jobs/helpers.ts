// Shared set-up of the job-queue suite: one describe.each entry per queue engine.
import { createServer, type Server } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { vi } from 'vitest';
import { parseConfig } from '@/lib/config';
import type { Database } from '@/lib/db';
import { createEngines, type Engines } from '@/lib/engines';
import { createJobQueue, jobsConfigSchema, type JobQueue, type JobsConfig } from '@/lib/jobs';
import { redisUrlForEngineTests, uniqueName } from '@/tests/helpers/test-env';

export const ENGINES = [
  { name: 'bullmq on redis', kind: 'redis' as const, enabled: Boolean(redisUrlForEngineTests) },
  { name: 'sql table (embedded engine)', kind: 'sql' as const, enabled: true },
].filter((e) => e.enabled);
if (!redisUrlForEngineTests) console.info('skipped: no Redis (set REDIS_URL or TEST_REDIS_URL) — the BullMQ variant of the job queue suites');

export function testJobsConfig(overrides: Partial<JobsConfig> = {}): JobsConfig {
  return { ...jobsConfigSchema.parse({}), JOB_POLL_MS: 50, ...overrides };
}

export function redisEngines(prefix = `${uniqueName('sluicetest')}:`): Engines & { env: Record<string, string> } {
  const config = parseConfig({ ...process.env, REDIS_URL: redisUrlForEngineTests, REDIS_PREFIX: prefix });
  return Object.assign(createEngines(config), { env: { REDIS_URL: redisUrlForEngineTests!, REDIS_PREFIX: prefix } });
}

export function queueFor(kind: 'redis' | 'sql', db: Database, engines: Engines | null, config: JobsConfig, name = uniqueName('q')): JobQueue {
  if (kind === 'redis') return createJobQueue({ db, engines: engines! }, config, name);
  return createJobQueue({ db, engines: { kind: 'memory', redis: null, prefix: '' } }, config, name);
}

/** A pino logger whose JSON lines are kept in `lines`. */
export function captureLogger() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

/** A local webhook receiver. */
export async function startWebhook(): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { url: `http://127.0.0.1:${port}/hook`, bodies, server };
}

/** Polls `check` (through vi.waitFor) until it returns a truthy value, and returns that value. */
export function waitFor<T>(check: () => Promise<T | false | null | undefined> | T | false | null | undefined, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  return vi.waitFor(
    async () => {
      const value = await check();
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value;
    },
    { timeout: timeoutMs, interval: 25 },
  );
}
