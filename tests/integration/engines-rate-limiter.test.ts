// One suite, two implementations: in-memory and Redis rate limiters.
import { afterAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createRateLimiter } from '@/lib/engines/rate-limiter';
import { redisUrlForEngineTests, uniqueName } from '../helpers/test-env';

const redis = redisUrlForEngineTests ? new Redis(redisUrlForEngineTests) : null;
const prefix = `${uniqueName('sluicetest')}:`;
afterAll(async () => {
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});

const stores: [string, Redis | null][] = [['memory', null]];
if (redis) stores.push(['redis', redis]);
else console.info('skipped: no Redis (set REDIS_URL or TEST_REDIS_URL) — the Redis variant of the rate limiter suite');

describe.each(stores)('rate limiter (%s)', (_name, store) => {
  it('allows up to the limit, then refuses with a retry time', async () => {
    const limiter = createRateLimiter({ name: uniqueName('t'), points: 3, durationSeconds: 60 }, store, prefix);
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await limiter.consume('user-1'));
    expect(results.slice(0, 3).map((r) => r.allowed)).toEqual([true, true, true]);
    expect(results[2]).toMatchObject({ allowed: true, remaining: 0 });
    // When the window resets (X-RateLimit-Reset): within the 60 s window.
    const reset = results[2].allowed ? results[2].resetMs : undefined;
    expect(reset).toBeGreaterThan(0);
    expect(reset).toBeLessThanOrEqual(60_000);
    const refused = results[3];
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterMs).toBeGreaterThan(0);
    // Keys are independent.
    expect((await limiter.consume('user-2')).allowed).toBe(true);
    await limiter.reset('user-1');
    expect((await limiter.consume('user-1')).allowed).toBe(true);
  });

  it('shares counts between limiter instances on the same store and name', async () => {
    const name = uniqueName('shared');
    const a = createRateLimiter({ name, points: 2, durationSeconds: 60 }, store, prefix);
    const b = store ? createRateLimiter({ name, points: 2, durationSeconds: 60 }, store, prefix) : a;
    await a.consume('k');
    await b.consume('k');
    expect((await a.consume('k')).allowed).toBe(false);
  });

  it('reward gives back consumed points in the current window', async () => {
    const limiter = createRateLimiter({ name: uniqueName('reward'), points: 2, durationSeconds: 60 }, store, prefix);
    await limiter.consume('k');
    await limiter.consume('k');
    await limiter.reward('k');
    expect(await limiter.peek('k')).toMatchObject({ consumed: 1 });
    expect((await limiter.consume('k')).allowed).toBe(true);
    expect((await limiter.consume('k')).allowed).toBe(false);
  });
});
