// The engines behind Sluice's small interfaces, chosen once by REDIS_URL: Redis for several nodes,
// in-memory for the embedded single-node mode.
import { Redis } from 'ioredis';
import type { Config } from '../config';
import { MemoryLog } from './log/memory-log';
import { RedisLog } from './log/redis-log';
import type { FirehoseLog } from './log/types';
import { createRateLimiter, type RateLimiter, type RateLimitRule } from './rate-limiter';

export type { FirehoseLog } from './log/types';
export type { RateLimiter, RateLimitRule } from './rate-limiter';

export interface Engines {
  kind: 'redis' | 'memory';
  log: FirehoseLog;
  /** The shared command connection (null in memory mode). Blocking commands must duplicate() it. */
  redis: Redis | null;
  /** Key prefix for everything stored in Redis. */
  prefix: string;
  rateLimiter(rule: RateLimitRule): RateLimiter;
  /** Resolves to "ok", or throws when the engine is unreachable. */
  ping(): Promise<string>;
  close(): Promise<void>;
}

export type EngineConfig = Pick<Config, 'REDIS_URL' | 'REDIS_PREFIX' | 'LOG_RETENTION_HOURS' | 'LOG_MAX_LENGTH'>;

export function createEngines(config: EngineConfig): Engines {
  const retention = { maxAgeMs: config.LOG_RETENTION_HOURS * 3_600_000, maxLength: config.LOG_MAX_LENGTH };
  const prefix = config.REDIS_PREFIX;
  if (!config.REDIS_URL) {
    const limiters = new Map<string, RateLimiter>();
    return {
      kind: 'memory',
      log: new MemoryLog(retention),
      redis: null,
      prefix,
      rateLimiter(rule) {
        const key = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
        let limiter = limiters.get(key);
        if (!limiter) limiters.set(key, (limiter = createRateLimiter(rule, null, prefix)));
        return limiter;
      },
      ping: async () => 'ok',
      close: async () => undefined,
    };
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3, enableOfflineQueue: true });
  // ioredis emits 'error' on every failed reconnect; connection trouble surfaces through ping().
  redis.on('error', () => undefined);
  const log = new RedisLog(redis, `${prefix}firehose`, retention);
  return {
    kind: 'redis',
    log,
    redis,
    prefix,
    rateLimiter: (rule) => createRateLimiter(rule, redis, prefix),
    ping: async () => {
      const pong = await redis.ping();
      if (pong !== 'PONG') throw new Error(`unexpected PING reply ${pong}`);
      return 'ok';
    },
    async close() {
      await log.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
