// The outbox relay: log order = outbox order, at least once, catch-up after the log was down,
// and two relays on one database never interleave or duplicate appends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import type { FirehoseLog } from '@/lib/engines';
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

async function logEventIds(log: FirehoseLog): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const entries = await log.read(after, 1000);
    if (!entries.length) return ids;
    for (const e of entries) ids.push((JSON.parse(e.data) as FirehoseEventBody).id);
    after = entries[entries.length - 1].cursor;
  }
}

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const firstOccurrences = (ids: string[]) => [...new Set(ids)];

describe('outbox relay', () => {
  it('appends every outbox event to the log in outbox order and empties the outbox', async () => {
    const engines = createTestEngines();
    try {
      const expected = await ingestPublic(1200);
      const relay = startRelay({ db: t.db, engines, logger }, { pollMs: 20 });
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
    const engines = createTestEngines();
    const relay = startRelay({ db: t.db, engines, logger }, { pollMs: 60_000 });
    try {
      await new Promise((r) => setTimeout(r, 100)); // let the first (empty) batch run and the relay sleep
      const started = Date.now();
      const expected = await ingestPublic(3);
      await waitFor(async () => (await logEventIds(engines.log)).length === 3, 5000);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(await logEventIds(engines.log)).toEqual(expected);
    } finally {
      await relay.stop();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });

  it('keeps accepting while the log is down and catches up in order, none missing, once it is back', async () => {
    const engines = createTestEngines();
    let down = true;
    let failedCalls = 0;
    const flaky: FirehoseLog = Object.assign(Object.create(engines.log) as FirehoseLog, {
      append: async (events: string[]) => {
        if (down) {
          failedCalls += 1;
          throw new Error('connect ECONNREFUSED (simulated outage)');
        }
        return engines.log.append(events);
      },
    });
    const relay = startRelay({ db: t.db, engines: { log: flaky }, logger }, { pollMs: 20, minBackoffMs: 10, maxBackoffMs: 50 });
    try {
      const expected = await ingestPublic(700, 70);
      await waitFor(async () => failedCalls >= 3);
      expect(await countRows(t.db, 'outbox')).toBe(700);
      down = false;
      await waitFor(async () => (await countRows(t.db, 'outbox')) === 0);
      expect(await logEventIds(engines.log)).toEqual(expected);
    } finally {
      await relay.stop();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });

  it('delivers at least once: an append whose acknowledgement is lost is repeated, never skipped', async () => {
    const engines = createTestEngines();
    let lose = 2;
    const lossy: FirehoseLog = Object.assign(Object.create(engines.log) as FirehoseLog, {
      append: async (events: string[]) => {
        const cursors = await engines.log.append(events);
        if (lose-- > 0) throw new Error('connection reset after write (simulated)');
        return cursors;
      },
    });
    const expected = await ingestPublic(250, 50);
    const relay = startRelay({ db: t.db, engines: { log: lossy }, logger }, { pollMs: 20, minBackoffMs: 5, batchSize: 100 });
    try {
      await waitFor(async () => (await countRows(t.db, 'outbox')) === 0);
      const ids = await logEventIds(engines.log);
      expect(ids.length).toBeGreaterThan(expected.length); // duplicates, by design
      expect(firstOccurrences(ids)).toEqual(expected);
    } finally {
      await relay.stop();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });

  it('lets only one of two relays on the same database append at a time: no interleaving, no duplicate', async () => {
    const engines = createTestEngines();
    let inFlight = 0;
    let maxInFlight = 0;
    const slow: FirehoseLog = Object.assign(Object.create(engines.log) as FirehoseLog, {
      append: async (events: string[]) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          await new Promise((r) => setTimeout(r, 3));
          return await engines.log.append(events);
        } finally {
          inFlight -= 1;
        }
      },
    });
    // A second connection pool on PostgreSQL: what a second node would have.
    const other: Database = t.db.kind === 'postgres' ? await openDatabase({ DATABASE_URL: t.env.DATABASE_URL, DATA_DIR: './data' }, { migrate: false }) : t.db;
    const relays = [
      startRelay({ db: t.db, engines: { log: slow }, logger }, { pollMs: 1, batchSize: 20 }),
      startRelay({ db: other, engines: { log: slow }, logger }, { pollMs: 1, batchSize: 20 }),
    ];
    try {
      const expected = await ingestPublic(600, 30);
      await waitFor(async () => (await countRows(t.db, 'outbox')) === 0);
      await Promise.all(relays.map((r) => r.stop()));
      expect(maxInFlight).toBe(1);
      const ids = await logEventIds(engines.log);
      expect(ids).toHaveLength(new Set(ids).size);
      expect(ids).toEqual(expected);
    } finally {
      await Promise.all(relays.map((r) => r.stop()));
      if (other !== t.db) await other.close();
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  });
});
