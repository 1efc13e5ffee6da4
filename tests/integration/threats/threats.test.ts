// The public threats views on a real database, fed through the one ingest function: the list,
// filters, per-hour counts, totals, the indicator page and related indicators — and the property
// that nothing private (values, feeds, tags, descriptions) ever reaches them.
import fc from 'fast-check';
import { filtersKey } from '@/lib/threats/filters';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  countThreatsPerHour,
  findRecentThreats,
  getIndicatorDetail,
  getPublicCheck,
  getThreatTotals,
  getThreatsView,
  POPULAR_TAGS,
  sharedCache,
  THREATS_TTL_MS,
  topTags,
  toThreatsCsv,
  toThreatsJson,
  VISITOR_VIEWS,
} from '@/lib/threats';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, ingest, makeFeed } from '@/tests/integration/ingest/helpers';
import { enrichIndicator } from '@/lib/enrichment/enrich-indicator';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000).toISOString();

describe('the threats list', () => {
  it('shows recent public indicators with their public feed, tags and counts, filtered by type and tag', async () => {
    const u = await createUser(t.db);
    await makeFeed(t.db, u.id, 'botnets');
    await makeFeed(t.db, u.id, 'secret', 'AMBER');
    await ingest(t.db, {
      ownerId: u.id,
      feed: 'botnets',
      items: [
        { value: '45.33.32.156', tags: ['mirai'], confidence: 80, reportedAt: minutesAgo(5) },
        { value: 'list-evil-login.com', tags: ['phishing'], reportedAt: minutesAgo(90) },
        { value: 'http://list-evil-login.com/login.php', tags: ['phishing', 'kit'], reportedAt: minutesAgo(3) },
      ],
    });
    // The same IP seen privately: neither its tag, nor its count, nor the feed shows.
    await ingest(t.db, { ownerId: u.id, feed: 'secret', items: [{ value: '45.33.32.156', tags: ['amber-only'], reportedAt: minutesAgo(1) }] });
    await ingest(t.db, { ownerId: u.id, feed: 'secret', items: [{ value: 'only-private-zone.org', tags: ['amber-only'] }] });

    const list = await findRecentThreats(t.db.sql, { type: null, tag: null });
    const values = list.items.map((i) => i.value);
    expect(values).toEqual(['http://list-evil-login.com/login.php', '45.33.32.156', 'list-evil-login.com']);
    const ip = list.items.find((i) => i.type === 'ipv4')!;
    expect(ip).toMatchObject({ tags: ['mirai'], sightings: 1, confidence: 80, feed: { slug: 'botnets', owner: expect.stringMatching(/^reporter-[0-9a-f]{12}$/) } }); // the default display name, never the id
    expect(ip.lastSeen).toBe(minutesAgo(5).slice(0, 16) + ip.lastSeen.slice(16)); // the public time, not the private one

    expect((await findRecentThreats(t.db.sql, { type: 'ipv4', tag: null })).items.map((i) => i.value)).toEqual(['45.33.32.156']);
    expect((await findRecentThreats(t.db.sql, { type: null, tag: 'phishing' })).items).toHaveLength(2);
    expect((await findRecentThreats(t.db.sql, { type: 'url', tag: 'kit' })).items).toHaveLength(1);
    expect((await findRecentThreats(t.db.sql, { type: null, tag: 'amber-only' })).items).toHaveLength(0);
  });

  it('samples at random from the most recent pool, keeping most-recent-first order', async () => {
    const u = await createUser(t.db);
    await makeFeed(t.db, u.id, 'bulk');
    await ingest(t.db, { ownerId: u.id, feed: 'bulk', items: Array.from({ length: 40 }, (_, i) => ({ value: `bulk-${i}.badhost.net`, tags: ['bulk'], reportedAt: minutesAgo(100 + i) })) });
    const a = await findRecentThreats(t.db.sql, { type: null, tag: 'bulk' }, { pool: 30, sample: 10 });
    expect(a.poolSize).toBe(30);
    expect(a.items).toHaveLength(10);
    const times = a.items.map((i) => Date.parse(i.lastSeen));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    // Only the 30 most recent are eligible: bulk-30..39 are older.
    for (const item of a.items) expect(Number(item.value.split('-')[1].split('.')[0])).toBeLessThan(30);
  });

  it('counts public sightings per hour for 24 hours and totals', async () => {
    const u = await createUser(t.db);
    await makeFeed(t.db, u.id, 'hourly');
    await makeFeed(t.db, u.id, 'hourly-red', 'RED');
    const now = Date.now();
    await ingest(t.db, { ownerId: u.id, feed: 'hourly', items: [{ value: 'hour-a.badhost.io', tags: ['h'], reportedAt: new Date(now - 2 * 3_600_000).toISOString() }, { value: 'hour-b.badhost.io', tags: ['h'], reportedAt: new Date(now - 30 * 3_600_000).toISOString() }] });
    await ingest(t.db, { ownerId: u.id, feed: 'hourly-red', items: [{ value: 'hour-c.badhost.io', tags: ['h'] }] });
    const buckets = await countThreatsPerHour(t.db.sql, { type: null, tag: 'h' }, now);
    expect(buckets).toHaveLength(24);
    expect(buckets.reduce((s, b) => s + b.count, 0)).toBe(1);
    expect(buckets[21].count).toBe(1);
    expect(Date.parse(buckets[23].hour)).toBeLessThanOrEqual(now);
    const totals = await getThreatTotals(t.db.sql, now);
    const [truth] = await t.db.sql.query<{ n: number }>(`SELECT count(DISTINCT indicator_id)::int AS n FROM sightings WHERE is_public`);
    expect(totals.indicators).toBe(truth.n);
    expect(totals.sightings24h).toBeGreaterThan(0);
  });

  it('caches the view for a few seconds: the page and the exports read the same sample', async () => {
    const filters = { type: null, tag: 'bulk' } as const;
    const a = await getThreatsView(t.db.sql, { ...filters });
    const b = await getThreatsView(t.db.sql, { ...filters });
    expect(b).toBe(a);
    expect(toThreatsJson(b.list).indicators.map((i) => i.value)).toEqual(a.list.items.map((i) => i.value));
  });

  it('keeps a bounded set of views: random tags share one LRU of VISITOR_VIEWS and never evict the pinned views', async () => {
    const unfiltered = await getThreatsView(t.db.sql, { type: null, tag: null });
    const popular = topTags(unfiltered.list.items, POPULAR_TAGS)[0].tag;
    const pinnedPopular = await getThreatsView(t.db.sql, { type: null, tag: popular });
    const pinnedType = await getThreatsView(t.db.sql, { type: 'ipv4', tag: null });
    for (let i = 0; i < VISITOR_VIEWS + 60; i++) {
      const view = await getThreatsView(t.db.sql, { type: i % 2 ? 'url' : null, tag: `random-${i}-${Math.random().toString(36).slice(2)}` });
      expect(view.list.items).toEqual([]);
    }
    const visitor = sharedCache<unknown>('visitor-view', t.db.sql, { ttlMs: THREATS_TTL_MS });
    expect(visitor.size).toBe(VISITOR_VIEWS);
    // The pinned views were not evicted by the visitors' views: still held in their own cache
    // (whether the TTL ran out meanwhile depends on the machine's speed; eviction does not).
    const pinned = sharedCache<unknown>('view', t.db.sql, { ttlMs: THREATS_TTL_MS });
    for (const filters of [{ type: null, tag: null }, { type: null, tag: popular }, { type: 'ipv4' as const, tag: null }]) {
      expect(pinned.has(filtersKey(filters))).toBe(true);
      expect(visitor.has(filtersKey(filters))).toBe(false);
    }
    expect(pinnedPopular.list.items.length).toBeGreaterThan(0);
    expect(pinnedType.list.items.every((i) => i.type === 'ipv4')).toBe(true);
    expect(unfiltered.list.items.length).toBeGreaterThanOrEqual(pinnedPopular.list.items.length);
  });
});

describe('the indicator page', () => {
  it('gives public sightings over time, feeds, tags, the check answer and related indicators', async () => {
    const u = await createUser(t.db);
    await makeFeed(t.db, u.id, 'rel');
    await makeFeed(t.db, u.id, 'rel-green', 'GREEN');
    await ingest(t.db, {
      ownerId: u.id,
      feed: 'rel',
      items: [
        { value: 'rel-host.com', tags: ['c2'], confidence: 60 },
        { value: 'http://rel-host.com/a.exe', tags: ['dropper'], confidence: 90 },
        { value: 'https://cdn.rel-host.com:8443/b', tags: ['dropper'] },
        { value: 'admin@rel-host.com', tags: ['spam'] },
        { value: '185.220.101.7', tags: ['scanner'] },
        { value: '185.220.101.99', tags: ['scanner'] },
        { value: '185.220.102.1', tags: ['scanner'] },
        { value: '185.220.101.0/24', tags: ['range'] },
        { value: 'http://185.220.101.7/x', tags: ['dropper'] },
      ],
    });
    await ingest(t.db, { ownerId: u.id, feed: 'rel-green', items: [{ value: 'http://rel-host.com/private', tags: ['green'] }, { value: '185.220.101.8' }] });

    const d = (await getIndicatorDetail(t.db.sql, { type: 'domain', value: 'rel-host.com' }))!;
    expect(d).toMatchObject({ sightings: 1, confidence: 60, tags: [{ tag: 'c2', count: 1 }], feeds: [{ feed: { slug: 'rel', owner: expect.stringMatching(/^reporter-/) }, sightings: 1 }] });
    expect(d.perDay).toHaveLength(30);
    expect(d.perDay[29].count).toBe(1);
    expect(d.related.sameHost.map((r) => r.value).sort()).toEqual(['admin@rel-host.com', 'http://rel-host.com/a.exe', 'https://cdn.rel-host.com:8443/b']);

    const url = (await getIndicatorDetail(t.db.sql, { type: 'url', value: 'http://rel-host.com/a.exe' }))!;
    expect(url.related.sameHost.map((r) => r.value)).toContain('rel-host.com');
    expect(url.related.sameHost.map((r) => r.value)).not.toContain('http://rel-host.com/private');

    const ip = (await getIndicatorDetail(t.db.sql, { type: 'ipv4', value: '185.220.101.7' }))!;
    expect(ip.related.sameNetwork.map((r) => r.value).sort()).toEqual(['185.220.101.0/24', '185.220.101.99']);
    expect(ip.related.sameHost.map((r) => r.value)).toEqual(['http://185.220.101.7/x']);

    const cidr = (await getIndicatorDetail(t.db.sql, { type: 'cidr', value: '185.220.101.0/24' }))!;
    expect(cidr.related.sameNetwork.map((r) => r.value).sort()).toEqual(['185.220.101.7', '185.220.101.99']);

    expect(await getIndicatorDetail(t.db.sql, { type: 'ipv4', value: '185.220.101.8' })).toBeNull();
    expect(await getIndicatorDetail(t.db.sql, { type: 'ipv4', value: '91.240.118.1' })).toBeNull();

    expect(await getPublicCheck(t.db.sql, { type: 'domain', value: 'rel-host.com' })).toMatchObject({ known: true, sightings: 1, tags: ['c2'] });
    expect(await getPublicCheck(t.db.sql, { type: 'ipv4', value: '185.220.101.8' })).toMatchObject({ known: false });
  });
});

describe('property: private data never reaches the public views', () => {
  it('for random mixes of public and private sightings, no private value, feed, tag or text appears', async () => {
    // fast-check scenarios (many runs, shrinking). Each run has its own users, feeds, values and
    // markers, so what earlier runs left in the database cannot make a later run pass or fail.
    const tlps = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
    const DOMAINS = 10;
    const IPS = 5;
    const URLS = 4;
    const POOL = DOMAINS + IPS + URLS;
    const item = fc.record({ v: fc.nat({ max: POOL - 1 }), confidence: fc.integer({ min: 1, max: 100 }), minutes: fc.nat({ max: 1999 }) });
    const scenario = fc.record({
      // Every user has a CLEAR and an AMBER feed, and a third of any TLP.
      thirdFeeds: fc.array(fc.constantFrom(...tlps), { minLength: 2, maxLength: 4 }),
      rounds: fc.array(fc.record({ feed: fc.nat({ max: 11 }), items: fc.array(item, { minLength: 1, maxLength: 5 }) }), { minLength: 1, maxLength: 15 }),
    });
    let run = 0;
    let ip = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async ({ thirdFeeds, rounds }) => {
        const ns = `prop${run++}x${Math.random().toString(36).slice(2, 8)}`;
        const users = await Promise.all(thirdFeeds.map(() => createUser(t.db)));
        const feeds: { ownerId: string; slug: string; isPublic: boolean }[] = [];
        for (const [ui, user] of users.entries()) {
          for (const [f, tlp] of (['CLEAR', 'AMBER', thirdFeeds[ui]] as const).entries()) {
            const slug = `${tlp === 'CLEAR' ? 'pub' : 'priv'}-${ns}-${ui}-${f}`;
            await makeFeed(t.db, user.id, slug, tlp);
            feeds.push({ ownerId: user.id, slug, isPublic: tlp === 'CLEAR' });
          }
        }
        const ips = Array.from({ length: IPS }, () => {
          const n = ip++;
          return `91.241.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
        });
        const pool = [
          ...Array.from({ length: DOMAINS }, (_, i) => `${ns}-${i}.threatlab.net`),
          ...ips,
          ...Array.from({ length: URLS }, (_, i) => `http://${ns}-${i}.threatlab.net/p${i}`),
        ];
        const publicValues = new Set<string>();
        const privateTexts = new Set<string>();
        let marker = 0;
        for (const round of rounds) {
          const feed = feeds[round.feed % feeds.length];
          const items = round.items.map(({ v, confidence, minutes }) => {
            const value = pool[v];
            const tag = `${feed.isPublic ? 'pubtag' : 'privtag'}-${ns}-${marker++}`;
            if (feed.isPublic) publicValues.add(value);
            else privateTexts.add(tag);
            return { value, tags: [tag], description: `${tag}-desc`, confidence, reportedAt: minutesAgo(minutes) };
          });
          await ingest(t.db, { ownerId: feed.ownerId, feed: feed.slug, items });
        }
        const privateOnly = pool.filter((v) => !publicValues.has(v));
        const privateFeeds = feeds.filter((f) => !f.isPublic).map((f) => f.slug);

        const surfaces: string[] = [];
        for (const filters of [{ type: null, tag: null }, { type: 'domain', tag: null }, { type: 'ipv4', tag: null }, { type: 'url', tag: null }] as const) {
          const list = await findRecentThreats(t.db.sql, filters, { pool: 1000, sample: 1000 });
          for (const listed of list.items) {
            expect(listed.sightings).toBeGreaterThan(0);
            if (!pool.includes(listed.value)) continue; // an earlier run's: checked then
            // Counts are public sightings only.
            const [truth] = await t.db.sql.query<{ n: number }>(
              `SELECT count(*)::int AS n FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE s.is_public AND i.type = $1::"IndicatorType" AND i.value = $2`,
              [listed.type, listed.value],
            );
            expect(listed.sightings).toBe(truth.n);
          }
          surfaces.push(JSON.stringify(toThreatsJson(list)), toThreatsCsv(list));
        }
        for (const value of pool) {
          const type = value.startsWith('http') ? 'url' : /^\d/.test(value) ? 'ipv4' : 'domain';
          const detail = await getIndicatorDetail(t.db.sql, { type, value });
          const check = await getPublicCheck(t.db.sql, { type, value });
          if (!publicValues.has(value)) {
            expect(detail).toBeNull();
            // The unknown answer only echoes the question back, with what the offline IP data says of
            // the address itself (docs/enrichment.md): the same as for a never-seen value.
            expect(check).toEqual({ known: false, indicator: { type, value, ...enrichIndicator(type, value) } });
          } else surfaces.push(JSON.stringify(detail), JSON.stringify(check));
        }
        const totals = await getThreatTotals(t.db.sql);
        surfaces.push(JSON.stringify(totals));
        const text = surfaces.join('\n');
        // Related lists may name any public indicator, but never a private-only one.
        for (const v of privateOnly) expect(text.includes(`"${v}"`) || text.includes(`,${v},`), v).toBe(false);
        for (const slug of privateFeeds) expect(text.includes(slug), slug).toBe(false);
        for (const tag of privateTexts) expect(text.includes(tag), tag).toBe(false);
        // Owners are named by display name or not at all: no internal user id on a public surface.
        for (const user of users) expect(text.includes(user.id), user.id).toBe(false);
      }),
      { numRuns: 25 },
    );
  }, 400_000);
});

describe('feed names on public views', () => {
  it('a feed made private (then renamed) is "a private feed" on its old public sightings; owners by display name only', async () => {
    const owner = await createUser(t.db);
    await t.db.prisma.user.update({ where: { id: owner.id }, data: { displayName: 'Honeynet Lab' } });
    const stays = await makeFeed(t.db, owner.id, 'stays-public');
    await t.db.prisma.feed.update({ where: { id: stays.id }, data: { name: 'Still public' } });
    const goes = await makeFeed(t.db, owner.id, 'goes-private');
    const value = 'renamed-feed-case.badhost.org';
    await ingest(t.db, { ownerId: owner.id, feed: 'goes-private', items: [{ value, tags: ['renamed'], reportedAt: minutesAgo(2) }] });
    await ingest(t.db, { ownerId: owner.id, feed: 'stays-public', items: [{ value, tags: ['renamed'], reportedAt: minutesAgo(4) }] });
    await ingest(t.db, { ownerId: owner.id, feed: 'goes-private', items: [{ value: 'only-via-renamed.badhost.org', tags: ['renamed'] }] });

    // While public, the feed is named, with its owner's display name.
    let list = await findRecentThreats(t.db.sql, { type: null, tag: 'renamed' });
    expect(list.items.find((i) => i.value === value)?.feed).toEqual({ slug: 'goes-private', owner: 'Honeynet Lab' });

    // Made private and renamed: the sightings it reported while public stay public, its new name does not.
    await t.db.prisma.feed.update({ where: { id: goes.id }, data: { tlp: 'AMBER', name: 'Operation Nightjar (internal)', description: 'secret case' } });
    list = await findRecentThreats(t.db.sql, { type: null, tag: 'renamed' });
    expect(list.items.map((i) => i.value).sort()).toEqual(['only-via-renamed.badhost.org', value]);
    for (const item of list.items) expect(item.feed).toBeNull(); // their latest public sighting came from it
    const detail = (await getIndicatorDetail(t.db.sql, { type: 'domain', value }))!;
    expect(detail.feeds).toEqual([
      { feed: null, name: null, sightings: 1, lastSeen: expect.any(String) },
      { feed: { slug: 'stays-public', owner: 'Honeynet Lab' }, name: 'Still public', sightings: 1, lastSeen: expect.any(String) },
    ]);
    expect(detail.recent.map((r) => r.feed)).toEqual([null, { slug: 'stays-public', owner: 'Honeynet Lab' }]);
    const check = await getPublicCheck(t.db.sql, { type: 'domain', value });
    expect(check).toMatchObject({ known: true, sightings: 2, feeds: [{ slug: 'stays-public', owner: 'Honeynet Lab' }] });
    const json = JSON.stringify(toThreatsJson(list));
    const csv = toThreatsCsv(list);
    const surfaces = [json, csv, JSON.stringify(detail), JSON.stringify(check)].join('\n');
    for (const secret of ['Operation Nightjar', 'secret case', 'goes-private', owner.id]) expect(surfaces.includes(secret), secret).toBe(false);
    expect(toThreatsJson(list).indicators[0].feed).toBeNull();
    expect(csv.split('\r\n')[1]).toMatch(/,,,\d+,\d+,/); // empty feed and feed_owner cells

    // Public again: named again (its current name — it is public now).
    await t.db.prisma.feed.update({ where: { id: goes.id }, data: { tlp: 'CLEAR' } });
    list = await findRecentThreats(t.db.sql, { type: null, tag: 'renamed' });
    expect(list.items.find((i) => i.value === value)?.feed).toEqual({ slug: 'goes-private', owner: 'Honeynet Lab' });
  });
});
