// The firehose log: durable in PostgreSQL, with a fast cache of its tail. One suite, both caches
// (the in-memory ring and a Redis Stream), on the configured database (embedded or PostgreSQL).
// Each test starts a new log (a new epoch), as a new database would.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { checkRedisVersion } from '@/lib/engines';
import { DurableLog } from '@/lib/engines/log/durable-log';
import { MemoryCache } from '@/lib/engines/log/memory-cache';
import { RedisCache } from '@/lib/engines/log/redis-cache';
import { checkCursor, compareCursors, type LogCache, type LogEntry } from '@/lib/engines/log/types';
import type { Logger } from '@/lib/logger';
import { createTestDatabase, redisUrlForEngineTests, uniqueName, type TestDatabase } from '../helpers/test-env';

const retention = { maxAgeMs: 60_000, maxLength: 1000 };
const redis = redisUrlForEngineTests ? new Redis(redisUrlForEngineTests) : null;
const redisKeys: string[] = [];
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  if (redis) {
    for (const base of redisKeys) {
      const keys = await redis.keys(`${base}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
  }
  await t?.drop();
});

// A new log: empty table, head 0, and a new epoch (so cursors of the previous test are foreign).
beforeEach(async () => {
  await t.db.sql.query(`TRUNCATE firehose_log`);
  await t.db.sql.query(`UPDATE firehose_log_meta SET head = 0, epoch = epoch + 1000`);
});

const caches: [string, () => LogCache][] = [['memory', () => new MemoryCache(500)]];
if (redis) {
  caches.push([
    'redis',
    () => {
      const key = uniqueName('sluicetest:log');
      redisKeys.push(key);
      return new RedisCache(redis, key, 500);
    },
  ]);
} else {
  console.log('skipped: the Redis cache variant of the firehose log suite (no Redis on this machine)');
}

const until = (predicate: () => boolean, timeoutMs = 10_000) =>
  vi.waitFor(
    () => {
      if (!predicate()) throw new Error('condition not met in time');
    },
    { timeout: timeoutMs, interval: 10 },
  );

/** A cache that fails every call while `down` is set, as Redis does while it is stopped. */
function failing(cache: LogCache, state: { down: boolean }): LogCache {
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (state.down) throw new Error('connect ECONNREFUSED (cache stopped)');
      return fn(...args);
    };
  return {
    kind: cache.kind,
    put: guard((e) => cache.put(e)),
    range: guard((a, l) => cache.range(a, l)),
    waitAfter: guard(async (a, l, b) => {
      if (state.down) await new Promise((r) => setTimeout(r, 20));
      return cache.waitAfter(a, l, b);
    }),
    head: guard((e) => cache.head(e)),
    trimThrough: guard((c) => cache.trimThrough(c)),
    close: () => cache.close(),
  };
}

function recordingLogger(): Logger & { errors: unknown[][] } {
  const errors: unknown[][] = [];
  const logger = {
    errors,
    child: () => logger,
    error: (...args: unknown[]) => errors.push(args),
    warn: () => undefined,
    info: () => undefined,
    debug: () => undefined,
  };
  return logger as unknown as Logger & { errors: unknown[][] };
}

describe.each(caches)('firehose log (cache: %s)', (_name, makeCache) => {
  const make = (cache: LogCache = makeCache(), logger?: Logger) => new DurableLog(t.db.sql, cache, { retention, logger, tailBlockMs: 200, pollMs: 20 });

  it('assigns gapless "<epoch>-<position>" cursors and reads back in order', async () => {
    const log = make();
    const epoch = await log.epoch();
    const cursors = await log.append(['a', 'b', 'c']);
    expect(cursors).toEqual([`${epoch}-1`, `${epoch}-2`, `${epoch}-3`]);
    expect(compareCursors(cursors[0], cursors[1])).toBeLessThan(0);
    const all = await log.read(null, 10);
    expect(all.map((e) => e.data)).toEqual(['a', 'b', 'c']);
    expect((await log.read(cursors[0], 10)).map((e) => e.data)).toEqual(['b', 'c']);
    expect(await log.read(cursors[2], 10)).toEqual([]);
    expect(await log.read(null, 2)).toHaveLength(2);
    expect(await log.bounds()).toEqual({ oldest: cursors[0], head: cursors[2], trimmedThrough: `${epoch}-0` });
    await log.close();
  });

  it('reports empty bounds for a new log', async () => {
    const log = make();
    const epoch = await log.epoch();
    expect(await log.bounds()).toEqual({ oldest: null, head: null, trimmedThrough: `${epoch}-0` });
    await log.close();
  });

  it('tails from a cursor: backlog first, then live, no gap and no duplicate', async () => {
    const log = make();
    const first = await log.append(['1', '2', '3']);
    const seen: LogEntry[] = [];
    const tail = await log.tail(first[0], (entries) => {
      seen.push(...entries);
    });
    await until(() => seen.length === 2);
    await log.append(['4']);
    await log.append(['5', '6']);
    await until(() => seen.length === 5);
    expect(seen.map((e) => e.data)).toEqual(['2', '3', '4', '5', '6']);
    await tail.stop();
    await log.close();
  });

  it('hands a waiting reader one append\'s entries together (the gateways then flush them as one frame)', async () => {
    const cache = makeCache();
    const waiting = cache.waitAfter('7-0', 100, 5000);
    await new Promise((r) => setTimeout(r, 200)); // the reader is blocked before the append
    await cache.put(['7-1', '7-2', '7-3'].map((cursor) => ({ cursor, data: cursor })));
    expect((await waiting).map((e) => e.cursor)).toEqual(['7-1', '7-2', '7-3']);
    await cache.close();
  });

  it('tails from the head when no cursor is given', async () => {
    const log = make();
    await log.append(['old']);
    const seen: string[] = [];
    const tail = await log.tail(null, (entries) => {
      seen.push(...entries.map((e) => e.data));
    });
    await log.append(['new']);
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual(['new']);
    await tail.stop();
    await log.close();
  });

  it('trims by age and reports expired cursors with the oldest one', async () => {
    const log = make();
    const cursors = await log.append(['x', 'y']);
    expect(await checkCursor(log, cursors[0])).toEqual({ ok: true });
    // Everything is older than "now + retention": trimming at that time removes it all.
    await log.trim(Date.now() + retention.maxAgeMs + 5000);
    const more = await log.append(['z']);
    expect(await checkCursor(log, cursors[0])).toEqual({ ok: false, code: 'cursor_expired', oldest: more[0] });
    // Resuming from just before the oldest retained event loses nothing.
    const bounds = await log.bounds();
    expect(bounds.trimmedThrough).toBe(cursors[1]);
    expect(await checkCursor(log, bounds.trimmedThrough!)).toEqual({ ok: true });
    expect(await checkCursor(log, more[0])).toEqual({ ok: true });
    expect((await log.read(bounds.trimmedThrough!, 10)).map((e) => e.data)).toEqual(['z']);
    await log.close();
  });

  it('refuses malformed cursors, cursors beyond the head and beyond bigint; expires cursors of an older log', async () => {
    const log = make();
    const epoch = await log.epoch();
    const [only] = await log.append(['a']);
    expect(await checkCursor(log, 'abc')).toEqual({ ok: false, code: 'invalid_cursor' });
    expect(await checkCursor(log, '1-2-3')).toEqual({ ok: false, code: 'invalid_cursor' });
    expect(await checkCursor(log, `${epoch}-99999999999999999999`)).toEqual({ ok: false, code: 'invalid_cursor' });
    expect(await checkCursor(log, `${epoch}-2`)).toEqual({ ok: false, code: 'invalid_cursor' });
    expect(await checkCursor(log, `${epoch + 1n}-1`)).toEqual({ ok: false, code: 'invalid_cursor' });
    // A cursor of the previous log (e.g. before the database was recreated): its events are gone.
    expect(await checkCursor(log, `${epoch - 1000n}-5`)).toEqual({ ok: false, code: 'cursor_expired', oldest: only });
    expect(await checkCursor(log, only)).toEqual({ ok: true });
    await log.close();
  });

  it('keeps at most maxLength entries', async () => {
    const log = make();
    const batch = Array.from({ length: 500 }, (_, i) => String(i));
    for (let i = 0; i < 3; i += 1) await log.append(batch);
    await log.trim();
    const all = await log.read(null, 10_000);
    expect(all).toHaveLength(1000);
    expect(all[0].data).toBe('0'); // the second batch's first: the first batch was trimmed
    expect(parseInt(all[0].cursor.split('-')[1], 10)).toBe(501);
    await log.close();
  });

  it('survives losing its cache: reads and tails come from PostgreSQL, and the cache is refilled', async () => {
    const state = { down: false };
    const cache = makeCache();
    const log = make(failing(cache, state));
    const before = await log.append(['1', '2']);
    const seen: string[] = [];
    const tail = await log.tail(before[1], (entries) => {
      seen.push(...entries.map((e) => e.data));
    });
    state.down = true; // Redis stops
    const during = await log.append(['3', '4', '5']);
    expect(during).toHaveLength(3);
    expect((await log.read(before[0], 10)).map((e) => e.data)).toEqual(['2', '3', '4', '5']);
    await until(() => seen.length === 3);
    state.down = false; // Redis is back, lacking what it missed
    await new Promise((r) => setTimeout(r, 2100)); // the log skips a failed cache for a while
    const epoch = await log.epoch();
    expect(await cache.head(epoch)).toBe(before[1]);
    expect(await log.syncCache()).toBe(3);
    expect((await cache.range(`${epoch}-0`, 10)).map((e) => e.data)).toEqual(['1', '2', '3', '4', '5']);
    await log.append(['6']);
    await until(() => seen.length === 4);
    expect(seen).toEqual(['3', '4', '5', '6']);
    expect(await cache.head(epoch)).toBe(`${epoch}-6`);
    await tail.stop();
    await log.close();
  });

  it('reads pages in position order across digit boundaries, whatever parts of the tail the cache holds', async () => {
    const cache = makeCache();
    const log = make(cache);
    const cursors = await log.append(Array.from({ length: 1600 }, (_, i) => `e${i + 1}`));
    const epoch = await log.epoch();
    // A cache that came back with holes (e.g. Redis refilled after a restart while new events arrived).
    const fresh = makeCache();
    const all = await log.read(null, 2000);
    await fresh.put(all.slice(0, 400));
    await fresh.put(all.slice(1000));
    for (const reader of [log, make(fresh)]) {
      const page = await reader.read(`${epoch}-10`, 1000);
      expect(page.map((e) => Number(e.cursor.split('-')[1]))).toEqual(Array.from({ length: 1000 }, (_, i) => i + 11));
      expect(page[0].data).toBe('e11');
    }
    // Retention: nothing is old by age here, so only the length bound (1,000) applies.
    await log.trim();
    expect((await log.read(null, 1)).map((e) => e.cursor)).toEqual([cursors[600]]);
    await log.close();
  });

  it('keeps cursors valid across a restart of the process (a new log object on the same database)', async () => {
    const first = make();
    const cursors = await first.append(['a', 'b', 'c']);
    await first.close();
    const second = make(makeCache()); // an empty cache, as after a restart
    expect(await checkCursor(second, cursors[0])).toEqual({ ok: true });
    expect((await second.read(cursors[0], 10)).map((e) => e.data)).toEqual(['b', 'c']);
    const next = await second.append(['d']);
    expect(compareCursors(next[0], cursors[2])).toBeGreaterThan(0);
    expect(parseInt(next[0].split('-')[1], 10)).toBe(4);
    await second.close();
  });

  it('a consumer that throws is reported and the tail goes on with the next batch', async () => {
    const logger = recordingLogger();
    const log = make(makeCache(), logger);
    const seen: string[] = [];
    let failOnce = true;
    const tail = await log.tail(null, (entries) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('consumer bug');
      }
      seen.push(...entries.map((e) => e.data));
    });
    await log.append(['lost-to-the-bug']);
    await until(() => logger.errors.length === 1);
    await log.append(['after']);
    await until(() => seen.length === 1);
    expect(seen).toEqual(['after']);
    expect(String(logger.errors[0][1])).toMatch(/consumer failed/);
    await tail.stop();
    await log.close();
  });
});

describe('firehose log writers', () => {
  it('numbers concurrent appends without a gap or a duplicate', async () => {
    const log = new DurableLog(t.db.sql, new MemoryCache(100), { retention: { maxAgeMs: 60_000, maxLength: 100_000 } });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => log.append(Array.from({ length: 25 }, (_, j) => `${i}:${j}`))));
    const positions = results.flat().map((c) => Number(c.split('-')[1]));
    expect(new Set(positions).size).toBe(200);
    expect(Math.min(...positions)).toBe(1);
    expect(Math.max(...positions)).toBe(200);
    const all = await log.read(null, 1000);
    expect(all.map((e) => Number(e.cursor.split('-')[1]))).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    await log.close();
  });
});

describe('Redis version check', () => {
  const fake = (version: string) => ({ info: async () => `# Server\r\nredis_version:${version}\r\nredis_mode:standalone\r\n` }) as unknown as Redis;

  it('accepts 6.2 and newer, refuses older servers with a message naming both versions', async () => {
    expect(await checkRedisVersion(fake('6.2.0'))).toBe('6.2.0');
    expect(await checkRedisVersion(fake('7.0.15'))).toBe('7.0.15');
    await expect(checkRedisVersion(fake('6.0.16'))).rejects.toThrow(/Redis 6\.0\.16 is too old: Sluice needs Redis 6\.2\.0/);
    await expect(checkRedisVersion(fake('5.0.7'))).rejects.toThrow(/too old/);
    if (redis) expect(await checkRedisVersion(redis)).toMatch(/^\d+\.\d+/);
  });
});
