// The outbox relay: log order = outbox order, exactly once into the durable log, nothing lost
// while the cache (Redis) is down, and two relays on one database never interleave or duplicate.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import type { FirehoseLog } from '@/lib/engines';
import { DurableLog } from '@/lib/engines/log/durable-log';
import { MemoryCache } from '@/lib/engines/log/memory-cache';
import type { LogCache, LogEntry } from '@/lib/engines/log/types';
import type { FirehoseEventBody } from '@/lib/events';
import { createLogger } from '@/lib/logger';
import { startRelay } from '@/server/relay';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { countRows, createUser, ingest, makeFeed } from './helpers';

const logger = createLogger('silent');
let t: TestDatabase;
let ownerId: string;
let seq = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await createUser(t.db);
  ownerId = user.id;
  await makeFeed(t.db, ownerId, 'relay');
});
afterAll(async () => {
  await t?.drop();
});

/** Ingests n fresh public indicators in sequential batches; returns their event ids in commit order. */
async function ingestPublic(n: number, batch = 100): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += batch) {
    const items = Array.from({ length: Math.min(batch, n - i) }, () => `relay-${seq++}.example-relay.com`);
    const result = await ingest(t.db, { ownerId, feed: 'relay', items });
    for (const r of result.results) if (r.status === 'accepted' && r.eventId) ids.push(r.eventId);
  }
  expect(ids).toHaveLength(n);
  return ids;
}

/** Event ids in the log after a cursor (the tests share one database, so one log). */
async function logEventIds(log: FirehoseLog, from: string | null = null): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = from;
  for (;;) {
    const entries = await log.read(after, 1000);
    if (!entries.length) return ids;
    for (const e of entries) ids.push((JSON.parse(e.data) as FirehoseEventBody).id);
    after = entries[entries.length - 1].cursor;
  }
}

const waitFor = (check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> =>
  vi.waitFor(
    async () => {
      if (!(await check())) throw new Error('timed out waiting');
    },
    { timeout: timeoutMs, interval: 25 },
  );

describe('outbox relay', () => {
  it('appends every outbox event to the log in outbox order and empties the outbox', async () => {
    const engines = createTestEngines(t.db);
    try {
      const expected = await ingestPublic(1200);
      const relay = startRelay({ engines, logger }, { pollMs: 20 });
      await waitFor(async () => (await countRows(t.db, 'outbox')) === 0);
      await relay.stop();
      expect(await logEventIds(engines.log)).toEqual(expected);
      const [first] = await engines.log.read(null, 1);
      expect(JSON.parse(first.data)).toMatchObject({ kind: 'new', feed: { slug: 'relay', owner: ownerId } });
    } finally {
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });

  it('is woken by a commit (kick) rather than waiting for its poll', async () => {
    const engines = createTestEngines(t.db);
    const relay = startRelay({ engines, logger }, { pollMs: 60_000 });
    try {
      const { head } = await engines.log.bounds();
      await new Promise((r) => setTimeout(r, 100)); // let the first (empty) batch run and the relay sleep
      const started = Date.now();
      const expected = await ingestPublic(3);
      await waitFor(async () => (await logEventIds(engines.log, head)).length === 3, 5000);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await logEventIds(engines.log, head)).toEqual(expected);
    } finally {
      await relay.stop();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });

  it('keeps relaying while the cache (Redis) is down; readers are served from PostgreSQL; the cache is refilled', async () => {
    const engines = createTestEngines(t.db);
    const state = { down: true };
    const cache = (engines.log as unknown as { cache: LogCache }).cache;
    const broken: LogCache = {
      ...cache,
      kind: cache.kind,
      put: async (entries) => {
        if (state.down) throw new Error('connect ECONNREFUSED (simulated outage)');
        return cache.put(entries);
      },
      range: (a, l) => cache.range(a, l),
      waitAfter: (a, l, b) => cache.waitAfter(a, l, b),
      head: (e) => cache.head(e),
      trimThrough: (c) => cache.trimThrough(c),
      close: () => cache.close(),
    };
    const log = new DurableLog(t.db.sql, broken, { retention: { maxAgeMs: 3_600_000, maxLength: 100_000 } });
    const relay = startRelay({ engines: { log }, logger }, { pollMs: 20, syncEveryMs: 50 });
    try {
      const { head } = await log.bounds();
      const expected = await ingestPublic(700, 70);
      await waitFor(async () => (await countRows(t.db, 'outbox')) === 0);
      const epoch = await log.epoch();
      expect(await cache.head(epoch)).toBeNull(); // nothing reached the cache...
      expect(await logEventIds(log, head)).toEqual(expected); // ...yet every event is in the log
      state.down = false;
      await waitFor(async () => (await cache.head(epoch)) === (await log.bounds()).head);
      const refilled = await cache.range(head ?? `${epoch}-0`, 1000);
      expect(refilled.map((e) => (JSON.parse(e.data) as FirehoseEventBody).id)).toEqual(expected);
    } finally {
      await relay.stop();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });

  it('lets only one of two relays on the same database write at a time: gapless positions, outbox order, no duplicate', async () => {
    const engines = createTestEngines(t.db);
    // A second connection pool on PostgreSQL: what a second node would have.
    const other: Database = t.db.kind === 'postgres' ? await openDatabase({ DATABASE_URL: t.env.DATABASE_URL, DATA_DIR: './data' }, { migrate: false }) : t.db;
    const otherLog = new DurableLog(other.sql, new MemoryCache(1000), { retention: { maxAgeMs: 3_600_000, maxLength: 100_000 } });
    const relays = [
      startRelay({ engines, logger }, { pollMs: 1, batchSize: 20 }),
      startRelay({ engines: { log: otherLog }, logger }, { pollMs: 1, batchSize: 20 }),
    ];
    try {
      const { head: before } = await engines.log.bounds();
      const expected = await ingestPublic(600, 30);
      await waitFor(async () => (await countRows(t.db, 'outbox')) === 0);
      await Promise.all(relays.map((r) => r.stop()));
      const entries: LogEntry[] = [];
      for (let after = before; ; ) {
        const page = await engines.log.read(after, 1000);
        if (!page.length) break;
        entries.push(...page);
        after = page[page.length - 1].cursor;
      }
      const positions = entries.map((e) => Number(e.cursor.split('-')[1]));
      const first = positions[0];
      expect(positions).toEqual(Array.from({ length: 600 }, (_, i) => first + i));
      expect(entries.map((e) => (JSON.parse(e.data) as FirehoseEventBody).id)).toEqual(expected);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      if (other !== t.db) await other.close();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });
});
