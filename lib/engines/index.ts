// The engines behind Sluice's small interfaces, chosen once by REDIS_URL: Redis for several nodes,
// in-memory for the embedded single-node mode. The firehose log itself lives in PostgreSQL; the
// engine only holds a fast copy of its tail (lib/engines/log/durable-log.ts).
import { Redis } from 'ioredis';
import type { Config } from '../config';
import type { SqlDriver } from '../db/sql-driver';
import type { Logger } from '../logger';
import { DurableLog } from './log/durable-log';
import { MemoryCache } from './log/memory-cache';
import { RedisCache } from './log/redis-cache';
import type { LogCache } from './log/types';
import { createRateLimiter, type RateLimiter, type RateLimitRule } from './rate-limiter';

export type { FirehoseLog } from './log/types';
export type { DurableLog } from './log/durable-log';
export type { RateLimiter, RateLimitRule } from './rate-limiter';

export interface Engines {
  kind: 'redis' | 'memory';
  /** The firehose log (needs the database: createEngines(config, { sql })). */
  log: DurableLog;
  /** The shared command connection (null in memory mode). Blocking commands must duplicate() it. */
  redis: Redis | null;
  /** Key prefix for everything stored in Redis. */
  prefix: string;
  rateLimiter(rule: RateLimitRule): RateLimiter;
  /** Resolves to "ok", or throws when the engine is unreachable. */
  ping(): Promise<string>;
  close(): Promise<void>;
}

export type EngineConfig = Pick<Config, 'REDIS_URL' | 'REDIS_PREFIX' | 'LOG_RETENTION_HOURS' | 'LOG_MAX_LENGTH'> & Partial<Pick<Config, 'LOG_CACHE_LENGTH'>>;

export interface EngineDeps {
  /** The database holding the durable log. Without it, `log` throws on use (CLI tools, job tests). */
  sql?: SqlDriver;
  logger?: Logger;
}

function logWithout(): DurableLog {
  return new Proxy({} as DurableLog, {
    get() {
      throw new Error('the firehose log needs the database: createEngines(config, { sql })');
    },
  });
}

export function createEngines(config: EngineConfig, deps: EngineDeps = {}): Engines {
  const retention = { maxAgeMs: config.LOG_RETENTION_HOURS * 3_600_000, maxLength: config.LOG_MAX_LENGTH };
  const cacheLength = Math.min(config.LOG_CACHE_LENGTH ?? 50_000, config.LOG_MAX_LENGTH);
  const prefix = config.REDIS_PREFIX;
  const makeLog = (cache: LogCache) => (deps.sql ? new DurableLog(deps.sql, cache, { retention, logger: deps.logger }) : logWithout());
  if (!config.REDIS_URL) {
    const limiters = new Map<string, RateLimiter>();
    const cache = new MemoryCache(cacheLength);
    const log = makeLog(cache);
    return {
      kind: 'memory',
      log,
      redis: null,
      prefix,
      rateLimiter(rule) {
        const key = `${rule.name}:${rule.points}:${rule.durationSeconds}`;
        let limiter = limiters.get(key);
        if (!limiter) limiters.set(key, (limiter = createRateLimiter(rule, null, prefix)));
        return limiter;
      },
      ping: async () => 'ok',
      async close() {
        if (deps.sql) await log.close();
        await cache.close();
      },
    };
  }
  const redis = new Redis(config.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3, enableOfflineQueue: true });
  // ioredis emits 'error' on every failed reconnect: say so once per outage, not once per retry.
  let reported = false;
  redis.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    deps.logger?.warn({ err: error }, 'Redis connection error; ioredis keeps reconnecting');
  });
  redis.on('ready', () => {
    if (reported) deps.logger?.info('Redis connection is back');
    reported = false;
  });
  const cache = new RedisCache(redis, `${prefix}firehose`, cacheLength);
  const log = makeLog(cache);
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
      if (deps.sql) await log.close();
      await cache.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/**
 * The oldest Redis the engines work with: the log's cache uses XADD with explicit ids, exclusive
 * XRANGE starts ("(id") and XTRIM MINID, all from Redis 6.2.
 */
export const MIN_REDIS_VERSION = '6.2.0';

/** Throws a clear error when the Redis server is older than MIN_REDIS_VERSION. */
export async function checkRedisVersion(redis: Redis): Promise<string> {
  const info = await redis.info('server');
  const version = /redis_version:([\d.]+)/.exec(info)?.[1] ?? '0.0.0';
  const [major, minor] = version.split('.').map(Number);
  const [needMajor, needMinor] = MIN_REDIS_VERSION.split('.').map(Number);
  if (major < needMajor || (major === needMajor && minor < needMinor)) {
    throw new Error(`Redis ${version} is too old: Sluice needs Redis ${MIN_REDIS_VERSION} or newer (REDIS_URL)`);
  }
  return version;
}
