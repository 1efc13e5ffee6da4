// One suite, two implementations: the in-memory log and the Redis Stream log.
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryLog } from '@/lib/engines/log/memory-log';
import { RedisLog } from '@/lib/engines/log/redis-log';
import { checkCursor, compareCursors, type FirehoseLog, type LogEntry } from '@/lib/engines/log/types';
import { Redis } from 'ioredis';
import { redisUrlForEngineTests, uniqueName } from '../helpers/test-env';

const retention = { maxAgeMs: 60_000, maxLength: 1000 };
const redis = redisUrlForEngineTests ? new Redis(redisUrlForEngineTests) : null;
const keys: string[] = [];

afterAll(async () => {
  if (redis) {
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  }
});

const implementations: [string, () => FirehoseLog][] = [['memory', () => new MemoryLog(retention)]];
if (redis) {
  implementations.push([
    'redis',
    () => {
      const key = uniqueName('sluicetest:log');
      keys.push(key);
      return new RedisLog(redis, key, retention);
    },
  ]);
}

const until = async (predicate: () => boolean, timeoutMs = 5000) => {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe.each(implementations)('firehose log (%s)', (_name, make) => {
  it('assigns increasing cursors and reads back in order', async () => {
    const log = make();
    const cursors = await log.append(['a', 'b', 'c']);
    expect(cursors).toHaveLength(3);
    expect(compareCursors(cursors[0], cursors[1])).toBeLessThan(0);
    expect(compareCursors(cursors[1], cursors[2])).toBeLessThan(0);
    const all = await log.read(null, 10);
    expect(all.map((e) => e.data)).toEqual(['a', 'b', 'c']);
    const after = await log.read(cursors[0], 10);
    expect(after.map((e) => e.data)).toEqual(['b', 'c']);
    expect(await log.read(cursors[2], 10)).toEqual([]);
    expect(await log.read(null, 2)).toHaveLength(2);
    const bounds = await log.bounds();
    expect(bounds).toEqual({ oldest: cursors[0], head: cursors[2], trimmedThrough: null });
    await log.close();
  });

  it('reports empty bounds for a new log', async () => {
    const log = make();
    expect(await log.bounds()).toEqual({ oldest: null, head: null, trimmedThrough: null });
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

  it('tails from the head when no cursor is given', async () => {
    const log = make();
    await log.append(['old']);
    const seen: string[] = [];
    const tail = await log.tail(null, (entries) => {
      seen.push(...entries.map((e) => e.data));
    });
    await log.append(['new']);
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
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
    const check = await checkCursor(log, '1-0');
    expect(check).toEqual({ ok: false, code: 'cursor_expired', oldest: more[0] });
    // Resuming from the oldest retained event, or from just before it, loses nothing.
    const bounds = await log.bounds();
    expect(bounds.trimmedThrough).not.toBeNull();
    expect(compareCursors(bounds.trimmedThrough!, more[0])).toBeLessThan(0);
    expect(compareCursors(bounds.trimmedThrough!, cursors[1])).toBeGreaterThanOrEqual(0);
    expect(await checkCursor(log, bounds.trimmedThrough!)).toEqual({ ok: true });
    expect(await checkCursor(log, more[0])).toEqual({ ok: true });
    expect((await log.read(bounds.trimmedThrough!, 10)).map((e) => e.data)).toEqual(['z']);
    await log.close();
  });

  it('rejects malformed cursors', async () => {
    const log = make();
    expect(await checkCursor(log, 'abc')).toEqual({ ok: false, code: 'invalid_cursor' });
    expect(await checkCursor(log, '1-2-3')).toEqual({ ok: false, code: 'invalid_cursor' });
    await log.close();
  });

  it('keeps at most about maxLength entries', async () => {
    const log = make();
    const batch = Array.from({ length: 500 }, (_, i) => String(i));
    for (let i = 0; i < 6; i += 1) await log.append(batch);
    const all = await log.read(null, 10_000);
    // Redis trims approximately (whole macro-nodes), so allow slack above the bound.
    expect(all.length).toBeGreaterThanOrEqual(1000);
    expect(all.length).toBeLessThan(2000);
    expect((await log.bounds()).trimmedThrough).not.toBeNull();
    await log.close();
  });
});
