// Rate limiting through rate-limiter-flexible: Redis-backed (shared by all nodes) or in-memory.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimitRule {
  /** Distinguishes limiters sharing one store, e.g. "signin:ip". */
  name: string;
  /** Allowed actions per window. */
  points: number;
  /** Window length in seconds. */
  durationSeconds: number;
}

export type RateLimitResult = { allowed: true; remaining: number } | { allowed: false; retryAfterMs: number };

export interface RateLimiter {
  consume(key: string, points?: number): Promise<RateLimitResult>;
  reset(key: string): Promise<void>;
}

export function createRateLimiter(rule: RateLimitRule, redis: Redis | null, prefix: string): RateLimiter {
  const options = { keyPrefix: `${prefix}rl:${rule.name}`, points: rule.points, duration: rule.durationSeconds };
  const limiter: RateLimiterAbstract = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, useRedisPackage: false })
    : new RateLimiterMemory(options);
  return {
    async consume(key, points = 1) {
      try {
        const res = await limiter.consume(key, points);
        return { allowed: true, remaining: res.remainingPoints };
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) return { allowed: false, retryAfterMs: rejection.msBeforeNext };
        throw rejection;
      }
    },
    async reset(key) {
      await limiter.delete(key);
    },
  };
}
