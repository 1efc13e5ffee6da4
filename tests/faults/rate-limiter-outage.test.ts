// The Redis rate limiter during a Redis outage: no error and no wait — the in-memory insurance
// counts the same rule, whether Redis refuses connections or accepts them and never answers.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { createRateLimiter, REDIS_TIMEOUT_MS } from '@/lib/engines/rate-limiter';
import { uniqueName } from '../helpers/test-env';
import { freePort } from '../helpers/free-port';

const clients: Redis[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of clients) c.disconnect();
  for (const child of children) child.kill('SIGKILL');
});

/** A client configured like lib/engines (offline queue on, 3 retries per request). */
function client(port: number, extra: Record<string, unknown> = {}) {
  const redis = new Redis({ host: '127.0.0.1', port, maxRetriesPerRequest: 3, enableOfflineQueue: true, ...extra });
  redis.on('error', () => undefined);
  clients.push(redis);
  return redis;
}


async function expectInsured(redis: Redis) {
  const limiter = createRateLimiter({ name: uniqueName('outage'), points: 3, durationSeconds: 60 }, redis, 'sluicetest:');
  const started = performance.now();
  const results = [];
  for (let i = 0; i < 4; i += 1) results.push(await limiter.consume('token-1'));
  const ms = performance.now() - started;
  expect(results.map((r) => r.allowed)).toEqual([true, true, true, false]);
  // Four calls, each bounded by the command timeout (generous margin for a loaded machine).
  expect(ms).toBeLessThan(4 * REDIS_TIMEOUT_MS + 2000);
  return ms;
}

describe('Redis rate limiter during an outage', () => {
  it('answers from memory at once when Redis refuses connections', async () => {
    const ms = await expectInsured(client(await freePort()));
    console.log(`[rate-limiter] Redis refusing: 4 decisions in ${Math.round(ms)} ms`);
    expect(ms).toBeLessThan(3000); // far below a hang (what the outage used to cause: 6–11 s)
  });

  it('answers from memory within the command timeout when Redis is connected but hangs', async () => {
    // A private redis-server (never the shared one) whose clients are paused: commands hang.
    const port = await freePort();
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    children.push(child);
    const admin = client(port);
    await vi.waitFor(async () => expect(await admin.ping()).toBe('PONG'), { timeout: 10_000 });
    const redis = client(port);
    await vi.waitFor(() => expect(redis.status).toBe('ready'), { timeout: 5000 });
    await admin.call('CLIENT', 'PAUSE', '5000', 'ALL');
    const ms = await expectInsured(redis);
    console.log(`[rate-limiter] Redis hanging: 4 decisions in ${Math.round(ms)} ms (timeout ${REDIS_TIMEOUT_MS} ms each)`);
  });

  it('keeps one count per rule across calls (the limiter is cached per connection)', async () => {
    const redis = client(await freePort());
    const rule = { name: uniqueName('cached'), points: 2, durationSeconds: 60 };
    await createRateLimiter(rule, redis, 'sluicetest:').consume('k');
    await createRateLimiter(rule, redis, 'sluicetest:').consume('k');
    expect((await createRateLimiter(rule, redis, 'sluicetest:').consume('k')).allowed).toBe(false);
  });
});
