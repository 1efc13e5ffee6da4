// The read side: search filters and pagination, check, and the privacy property — a private
// sighting never appears in another user's search or check, nor in the outbox or the firehose log;
// the property runs over many fast-check scenarios and shrinks a failing one.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkIndicator, findIndicators, type IndicatorSummary } from '@/lib/search';
import type { FirehoseEventBody } from '@/lib/events';
import { createLogger } from '@/lib/logger';
import { startRelay } from '@/server/relay';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { countRows, createUser, ingest, makeFeed, outboxPayloads } from './helpers';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function searchAll(callerId: string, query: Record<string, string> = {}): Promise<IndicatorSummary[]> {
  const all: IndicatorSummary[] = [];
  let cursor: string | undefined;
  do {
    const page = await findIndicators(t.db.sql, callerId, { ...query, limit: '7', ...(cursor ? { cursor } : {}) });
    all.push(...page.indicators);
    cursor = page.next ?? undefined;
  } while (cursor);
  return all;
}

describe('search and check', () => {
  it('filters by type, tag, feed and since, and pages with an opaque cursor', async () => {
    const u = await createUser(t.db);
    await makeFeed(t.db, u.id, 'alpha');
    await makeFeed(t.db, u.id, 'beta');
    await ingest(t.db, { ownerId: u.id, feed: 'alpha', items: Array.from({ length: 20 }, (_, i) => ({ value: `filter-${i}.com`, tags: i % 2 ? ['odd'] : ['even'], reportedAt: '2026-01-01T00:00:00Z' })) });
    await ingest(t.db, { ownerId: u.id, feed: 'beta', items: [{ value: '45.33.32.156', tags: ['odd'] }, { value: 'filter-1.com', tags: ['late'] }] });
    const mine = (xs: IndicatorSummary[]) => xs.filter((x) => x.value.startsWith('filter-') || x.value === '45.33.32.156');
    expect(mine(await searchAll(u.id))).toHaveLength(21);
    expect(mine(await searchAll(u.id, { type: 'ipv4' })).map((x) => x.value)).toEqual(['45.33.32.156']);
    expect(mine(await searchAll(u.id, { tag: 'odd' }))).toHaveLength(11);
    expect(mine(await searchAll(u.id, { feed: 'beta' })).map((x) => x.value).sort()).toEqual(['45.33.32.156', 'filter-1.com']);
    const recent = mine(await searchAll(u.id, { since: '2026-06-01T00:00:00Z' }));
    expect(recent.map((x) => x.value).sort()).toEqual(['45.33.32.156', 'filter-1.com']);
    const one = (await searchAll(u.id)).find((x) => x.value === 'filter-1.com')!;
    expect(one).toMatchObject({ type: 'domain', sightings: 2, tags: ['late', 'odd'], firstSeen: '2026-01-01T00:00:00.000Z' });
    expect(one.feeds.map((f) => f.slug).sort()).toEqual(['alpha', 'beta']);
    await expect(findIndicators(t.db.sql, u.id, { cursor: 'garbage!' })).rejects.toMatchObject({ status: 400, code: 'invalid_cursor' });
    await expect(findIndicators(t.db.sql, u.id, { type: 'nope' })).rejects.toMatchObject({ status: 400, code: 'invalid_query' });
    await expect(findIndicators(t.db.sql, u.id, { feed: 'missing' })).rejects.toMatchObject({ status: 404 });
  });

  it('checks one indicator, defanged or not', async () => {
    const u = await createUser(t.db);
    await makeFeed(t.db, u.id, 'chk');
    await ingest(t.db, { ownerId: u.id, feed: 'chk', items: [{ value: 'check-me.org', tags: ['c2'], confidence: 70 }] });
    const known = await checkIndicator(t.db.sql, u.id, { value: 'check-me[.]org' });
    expect(known).toMatchObject({ known: true, indicator: { type: 'domain', value: 'check-me.org' }, sightings: 1, confidence: 70, tags: ['c2'], feeds: [{ slug: 'chk', owner: u.id }] });
    expect(await checkIndicator(t.db.sql, u.id, { value: 'never-seen.org' })).toEqual({ known: false, indicator: { type: 'domain', value: 'never-seen.org' } });
    await expect(checkIndicator(t.db.sql, u.id, { value: 'not an indicator' })).rejects.toMatchObject({ status: 422 });
  });

  it('property: private sightings never reach another user\'s search, check, the outbox or the firehose log', async () => {
    // fast-check scenarios: users with public and private feeds, overlapping indicators. Each run has
    // its own users and its own value namespace, so runs (and shrinking) do not disturb one another.
    const tlps = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
    const POOL = 12;
    const scenario = fc.record({
      userFeeds: fc.array(fc.array(fc.constantFrom(...tlps), { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 4 }),
      rounds: fc.array(fc.record({ feed: fc.nat({ max: 11 }), values: fc.array(fc.nat({ max: POOL - 1 }), { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 12 }),
    });
    let run = 0;
    // Across every run, for the firehose log check at the end.
    const privateFeeds = new Set<string>();
    const privateOnlyValues = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenario, async ({ userFeeds, rounds }) => {
        const ns = `prop${run++}x${Math.random().toString(36).slice(2, 8)}`;
        const users = await Promise.all(userFeeds.map(() => createUser(t.db)));
        const feeds: { ownerId: string; slug: string; isPublic: boolean }[] = [];
        for (const [ui, user] of users.entries()) {
          for (const [f, tlp] of userFeeds[ui].entries()) {
            const slug = `p${ui}-${f}`;
            await makeFeed(t.db, user.id, slug, tlp);
            feeds.push({ ownerId: user.id, slug, isPublic: tlp === 'CLEAR' });
          }
        }
        const pool = Array.from({ length: POOL }, (_, i) => `${ns}-${i}.net`);
        // Who may see each value, and through which feeds: the ground truth.
        const publicValues = new Set<string>();
        const privateByOwner = new Map<string, Set<string>>();
        for (const round of rounds) {
          const feed = feeds[round.feed % feeds.length];
          const items = round.values.map((v) => ({ value: pool[v], tags: [feed.isPublic ? 'pub' : `secret-${feed.ownerId.slice(0, 8)}`] }));
          await ingest(t.db, { ownerId: feed.ownerId, feed: feed.slug, items });
          for (const item of items) {
            if (feed.isPublic) publicValues.add(item.value);
            else {
              const set = privateByOwner.get(feed.ownerId) ?? new Set<string>();
              set.add(item.value);
              privateByOwner.set(feed.ownerId, set);
            }
          }
        }
        const feedOf = (slug: string, owner: string) => feeds.find((ff) => ff.slug === slug && ff.ownerId === owner);
        for (const f of feeds) if (!f.isPublic) privateFeeds.add(`${f.ownerId}/${f.slug}`);
        for (const v of pool) if (!publicValues.has(v)) privateOnlyValues.add(v);
        for (const user of users) {
          const results = (await searchAll(user.id)).filter((x) => x.value.startsWith(`${ns}-`));
          const visible = new Set([...publicValues, ...(privateByOwner.get(user.id) ?? [])]);
          expect(new Set(results.map((x) => x.value))).toEqual(visible);
          for (const x of results) {
            for (const f of x.feeds) {
              const feed = feedOf(f.slug, f.owner);
              expect(feed !== undefined && (feed.isPublic || feed.ownerId === user.id)).toBe(true);
            }
            for (const tag of x.tags) expect(tag === 'pub' || tag === `secret-${user.id.slice(0, 8)}`).toBe(true);
          }
          for (const value of pool) {
            const answer = await checkIndicator(t.db.sql, user.id, { value });
            expect(answer.known).toBe(visible.has(value));
            if (answer.known) {
              expect(answer.feeds.every((f) => f.owner === user.id || feedOf(f.slug, f.owner)?.isPublic === true)).toBe(true);
              expect(answer.tags.every((tag) => tag === 'pub' || tag === `secret-${user.id.slice(0, 8)}`)).toBe(true);
            }
          }
        }
        const events = (await outboxPayloads(t.db)).filter((e) => e.indicator.value.startsWith(`${ns}-`));
        for (const e of events) {
          expect(feedOf(e.feed.slug, e.feed.owner)?.isPublic).toBe(true);
          expect(e.indicator.tags).toEqual(['pub']);
          expect(publicValues.has(e.indicator.value)).toBe(true);
        }
        // Counts in events are public counts only.
        const last = new Map<string, number>();
        for (const e of events) last.set(e.indicator.value, e.indicator.count);
        for (const [value, count] of last) {
          const [row] = await t.db.sql.query<{ public_count: number }>(`SELECT public_count FROM indicators WHERE value = $1`, [value]);
          expect(count).toBe(row.public_count);
        }
      }),
      { numRuns: 50 },
    );

    // The firehose log (what the relay moves out of the outbox) carries none of it either.
    const engines = createTestEngines(t.db);
    try {
      const relay = startRelay({ engines, logger: createLogger('silent') }, { pollMs: 20 });
      await vi.waitFor(async () => expect(await countRows(t.db, 'outbox')).toBe(0), { timeout: 60_000, interval: 50 });
      await relay.stop();
      const logged: FirehoseEventBody[] = [];
      for (let after: string | null = null; ; ) {
        const entries = await engines.log.read(after, 1000);
        if (!entries.length) break;
        for (const e of entries) logged.push(JSON.parse(e.data) as FirehoseEventBody);
        after = entries[entries.length - 1].cursor;
      }
      const fromProperty = logged.filter((e) => e.indicator.value.startsWith('prop'));
      expect(fromProperty.length).toBeGreaterThan(0);
      for (const e of fromProperty) {
        expect(privateFeeds.has(`${e.feed.owner}/${e.feed.slug}`), `${e.feed.owner}/${e.feed.slug}`).toBe(false);
        expect(privateOnlyValues.has(e.indicator.value), e.indicator.value).toBe(false);
        expect(e.indicator.tags).toEqual(['pub']);
      }
    } finally {
      await deleteRedisPrefix(engines);
      await engines.close();
    }
  }, 300_000);
});
