// Rate limiting through rate-limiter-flexible: Redis-backed (shared by all nodes) or in-memory.
// The Redis limiter is insured: when Redis is not connected, or does not answer within
// REDIS_TIMEOUT_MS, the same rule is counted in this process's memory instead (per node, so a
// little looser across nodes), and a request never waits on a Redis outage nor fails because of it.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, RLWrapperTimeouts, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitRule {
  /** Distinguishes limiters sharing one store, e.g. "signin:ip". */
  name: string;
  /** Allowed actions per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

export type RateLimitResult = { allowed: true; remaining: number; /** ms until the window resets */ resetMs?: number } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  consume(key: string, points?: number): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
  /** The key's state without consuming: points used in the current window and ms until it resets (0 and 0 if unused). */
  peek(key: string): Promise<{ consumed: number; msBeforeReset: number }>;
  /** Refuses the key for `seconds` from now (consume answers not allowed until then), whatever it had used. */
  block(key: string, seconds: number): Promise<void>;
  /** Gives back points consumed in the current window (e.g. a reserved attempt that turned out not to count). */
  reward(key: string, points?: number): Promise<void>;
}

/** How long a request waits for Redis to count it before the in-memory insurance counts it. */
export const REDIS_TIMEOUT_MS = 250;

// One limiter per (Redis connection, rule): the insurance keeps its counts between requests.
const redisLimiters = new WeakMap<Redis, Map<string, RateLimiter>>();

export function createRateLimiter(rule: RateLimitRule, redis: Redis | null, prefix: string): RateLimiter {
  const options = { keyPrefix: `${prefix}rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
  if (!redis) return wrap(new RateLimiterMemory(options));
  let byRule = redisLimiters.get(redis);
  if (!byRule) redisLimiters.set(redis, (byRule = new Map()));
  const key = `${options.keyPrefix}:${rule.points}:${rule.durationSeconds}`;
  let limiter = byRule.get(key);
  if (!limiter) {
    const insuranceLimiter = new RateLimiterMemory(options);
    const store = new RateLimiterRedis({ ...options, storeClient: redis, useRedisPackage: false, rejectIfRedisNotReady: true, insuranceLimiter });
    byRule.set(key, (limiter = wrap(new RLWrapperTimeouts({ limiter: store, timeoutMs: REDIS_TIMEOUT_MS, insuranceLimiter }))));
  }
  return limiter;
}

function wrap(limiter: RateLimiterAbstract | RLWrapperTimeouts): RateLimiter {
  return {
    async consume(key, points = 1) {
      try {
        const res = await limiter.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints, resetMs: Math.max(0, res.msBeforeNext) };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
        throw rejection;
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
    async peek(key) {
      const res = await limiter.get(key);
      return res ? { consumed: res.consumedPoints, msBeforeReset: Math.max(0, res.msBeforeNext) } : { consumed: 0, msBeforeReset: 0 };
    },
    async block(key, seconds) {
      await limiter.block(key, Math.max(1, Math.ceil(seconds)));
    },
    async reward(key, points = 1) {
      await limiter.reward(key, points);
    },
  };
}
