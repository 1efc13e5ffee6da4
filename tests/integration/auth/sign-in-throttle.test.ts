// The sign-in throttle on both rate limiter engines (memory, Redis): gates close for the backoff and
// the wait doubles; peek and block, which it is built on, behave the same on both.
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { signInThrottle } from '@/lib/accounts/sign-in-throttle';
import { createEngines } from '@/lib/engines';
import { createRateLimiter } from '@/lib/engines/rate-limiter';
import { parseConfig } from '@/lib/config';
import { redisUrlForEngineTests, uniqueName } from '../../helpers/test-env';

const prefix = `${uniqueName('sluicetest')}:`;
const redis = redisUrlForEngineTests ? new Redis(redisUrlForEngineTests) : null;
const memoryEngines = createEngines(parseConfig({ REDIS_PREFIX: prefix }));
const redisEngines = redisUrlForEngineTests ? createEngines(parseConfig({ REDIS_URL: redisUrlForEngineTests, REDIS_PREFIX: prefix })) : null;
if (!redis) console.info('skipped: no Redis (set REDIS_URL or TEST_REDIS_URL) — the Redis variant of the sign-in throttle suite');

afterAll(async () => {
  if (redis) {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
  await memoryEngines.close();
  await redisEngines?.close();
});

const variants: Array<[string, typeof memoryEngines, Redis | null]> = [['memory', memoryEngines, null]];
if (redisEngines) variants.push(['redis', redisEngines, redis]);

describe.each(variants)('sign-in throttle (%s)', (_name, engines, store) => {
  it('peek reads without consuming; block refuses for the given time', async () => {
    const limiter = createRateLimiter({ name: uniqueName('pb'), points: 5, durationSeconds: 60 }, store, prefix);
    expect(await limiter.peek('k')).toEqual({ consumed: 0, msBeforeReset: 0 });
    await limiter.consume('k');
    await limiter.consume('k');
    const peeked = await limiter.peek('k');
    expect(peeked.consumed).toBe(2);
    expect(peeked.msBeforeReset).toBeGreaterThan(50_000);
    expect((await limiter.peek('k')).consumed).toBe(2);
    await limiter.block('k', 7);
    const refused = await limiter.consume('k');
    expect(refused.allowed).toBe(false);
    if (!refused.allowed) expect(refused.retryAfterMs).toBeGreaterThan(5_000);
    if (!refused.allowed) expect(refused.retryAfterMs).toBeLessThanOrEqual(7_000);
  });

  it('doubles the wait with each failure past the free ones, per address and account', async () => {
    const rule = (name: string) => ({ name: uniqueName(name), free: 1, baseSeconds: 2, maxSeconds: 600, windowSeconds: 3600 });
    const rules = { pair: rule('pair'), address: { ...rule('address'), free: 100 }, account: { ...rule('account'), free: 100 } };
    const throttle = signInThrottle(engines, { address: '203.0.113.9', email: 'x@example.com' }, rules);
    expect(await throttle.check({ knownAddress: false })).toEqual({ allowed: true });
    const waits = [];
    for (let i = 0; i < 5; i++) waits.push(await throttle.failed());
    expect(waits).toEqual([0, 2, 4, 8, 16]);
    const verdict = await throttle.check({ knownAddress: false });
    expect(verdict).toMatchObject({ allowed: false, scope: 'pair' });
    if (!verdict.allowed) expect(verdict.retryAfterSeconds).toBeGreaterThan(10);
    // Another address on the same account, and the same address on another account, are not held up.
    expect(await signInThrottle(engines, { address: '203.0.113.10', email: 'x@example.com' }, rules).check({ knownAddress: false })).toEqual({
      allowed: true,
    });
    expect(await signInThrottle(engines, { address: '203.0.113.9', email: 'y@example.com' }, rules).check({ knownAddress: false })).toEqual({
      allowed: true,
    });
    // A success from that address forgets its failures on the account.
    await throttle.succeeded();
    expect(await throttle.check({ knownAddress: false })).toEqual({ allowed: true });
  });
});
