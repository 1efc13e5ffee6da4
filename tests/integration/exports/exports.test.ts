// Exports, search, browse and the feeds catalogue on a real database, fed through the one ingest
// function with the trust policy on: what would stream appears; private, held and retracted values
// never do; hostile stored values stay inside their records; paging never skips or repeats.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDisplayName } from '@/lib/accounts/update-display-name';
import { exportsConfigSchema, getExport, loadExportSnapshot, parseExportRequest, type ExportQuery } from '@/lib/exports';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { browsePublicIndicators, findFeedReports, findPublicFeeds, getPublicFeed, searchPublicIndicators } from '@/lib/threats';
import { createTrustPolicy } from '@/lib/trust/policy';
import { retractIndicator } from '@/lib/trust/retract';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, makeFeed } from '@/tests/integration/ingest/helpers';

let t: TestDatabase;
let owner: { id: string; email: string };
const config = exportsConfigSchema.parse({ EXPORTS_INTERVAL_SECONDS: '1', EXPORTS_FREE_DELAY_SECONDS: '3600' });
const deps = () => ({ sql: t.db.sql, config, baseUrl: 'http://sluice.test' });
const q = (name: string, query = '') => parseExportRequest(name, new URLSearchParams(query));
const ingest = (ownerId: string, feed: string, items: unknown[]) =>
  ingestIndicators({ sql: t.db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }), trust: createTrustPolicy({}) }, { ownerId, feed, items });

beforeAll(async () => {
  t = await createTestDatabase();
  owner = await createUser(t.db, 'firehose');
  await makeFeed(t.db, owner.id, 'honeypot');
  await makeFeed(t.db, owner.id, 'secret', 'AMBER');
  await t.db.prisma.feed.update({ where: { ownerId_slug: { ownerId: owner.id, slug: 'honeypot' } }, data: { name: 'Honeypot <b>x</b>', description: 'SSH brute force' } });
  await ingest(owner.id, 'honeypot', [
    { value: '45.83.64.1', tags: ['ssh'], confidence: 80 },
    { value: 'hxxp://evil[.]example-phish[.]net/login', tags: ['phishing'], confidence: 40 },
    { value: 'evil.example-phish.net', tags: ['phishing'], confidence: 60 },
    { value: 'login.evil.example-phish.net', tags: ['phishing'], confidence: 60 },
    { value: '2a0e:1d80:dead::1', confidence: 90 },
    '8.8.8.8', // a public resolver: held by the trust rules until corroborated
    { value: 'withdrawn-host.top', tags: ['ssh'] },
  ]);
  await ingest(owner.id, 'secret', [{ value: 'only-private-zone.org', tags: ['ssh'] }, { value: '45.83.64.2' }]);
  await retractIndicator(t.db.sql, { type: 'domain', value: 'withdrawn-host.top', reason: 'a sinkhole' });
  // A hostile value stored directly (as another path might one day): the formats must hold it.
  const [ind] = await t.db.sql.query<{ id: string }>(
    `INSERT INTO indicators (type, value, first_seen, last_seen, count, public_first_seen, public_last_seen, public_count)
     VALUES ('domain', $1, now(), now(), 1, now(), now(), 1) RETURNING id::text AS id`,
    ['bad"; sid:1; content:"x\n$INCLUDE /etc/passwd.com'],
  );
  const [feed] = await t.db.sql.query<{ id: string }>(`SELECT id::text AS id FROM feeds WHERE slug = 'honeypot'`);
  await t.db.sql.query(`INSERT INTO sightings (indicator_id, feed_id, reporter_id, is_public, tags, confidence, reported_at) VALUES ($1::bigint, $2::uuid, $3::uuid, true, '{hostile}', 70, now())`, [ind.id, feed.id, owner.id]);
}, 300_000);
afterAll(async () => t?.drop());

const body = async (tier: 'free' | 'firehose', query: ExportQuery) => (await getExport(deps(), tier, query)).body;

describe('exports', () => {
  it('list what would stream, in every format; never private, held or retracted values', async () => {
    const ipv4 = await body('firehose', q('ipv4.txt'));
    expect(ipv4).toBe('45.83.64.1\n');
    expect(await body('firehose', q('ipv6.txt'))).toBe('2a0e:1d80:dead::1\n');
    const domains = (await body('firehose', q('domain.txt'))).split('\n');
    expect(domains).toEqual(expect.arrayContaining(['evil.example-phish.net', 'login.evil.example-phish.net']));
    expect(await body('firehose', q('url.txt'))).toBe('http://evil.example-phish.net/login\n');

    const csv = await body('firehose', q('indicators.csv'));
    expect(csv.split('\r\n')[0]).toBe('type,value,defanged,tags,feeds,confidence,first_seen,last_seen');
    expect(csv).toContain('ipv4,45.83.64.1,45[.]83[.]64[.]1,ssh,honeypot,80,');
    const json = JSON.parse(await body('firehose', q('indicators.json'))) as { tier: string; indicators: { value: string; feeds: string[] }[] };
    expect(json.tier).toBe('firehose');
    const values = json.indicators.map((i) => i.value);
    expect(values).toContain('45.83.64.1');

    const everything = [ipv4, csv, JSON.stringify(json), ...(await Promise.all(['rpz.zone', 'suricata.rules', 'snort.rules', 'domain.txt'].map((n) => body('firehose', q(n)))))].join('\n');
    for (const never of ['only-private-zone.org', '45.83.64.2', '8.8.8.8', 'withdrawn-host.top', 'secret', owner.email, owner.id]) expect(everything).not.toContain(never);

    const rpz = await body('firehose', q('rpz.zone'));
    expect(rpz).toContain('\nevil.example-phish.net CNAME .\n*.evil.example-phish.net CNAME .\n');
    expect(rpz).toContain('bad\\034\\059\\032sid\\0581\\059'); // escaped, one record
    expect(rpz).not.toMatch(/^\$INCLUDE/m);
    const suricata = await body('firehose', q('suricata.rules'));
    expect(suricata).toContain('alert ip $HOME_NET any <> [45.83.64.1] any');
    expect(suricata).toContain('content:".evil.example-phish.net"; nocase; endswith;');
    for (const line of suricata.trimEnd().split('\n')) expect(line.startsWith('#') || /^alert .*; rev:1;\)$/.test(line)).toBe(true);
    expect(suricata).not.toMatch(/^\$INCLUDE|^content/m);
  });

  it('filter by tag, feed, minimum confidence, type and days; refuse what is not on the list with a 4xx', async () => {
    expect(await body('firehose', q('domain.txt', 'tag=phishing&minConfidence=60'))).toBe(['login.evil.example-phish.net', 'evil.example-phish.net', ''].join('\n'));
    expect(await body('firehose', q('ipv4.txt', 'feed=honeypot'))).toBe('45.83.64.1\n');
    expect(await body('firehose', q('ipv4.txt', 'feed=secret'))).toBe('');
    expect(await body('firehose', q('ipv4.txt', 'tag=never-used'))).toBe('');
    expect(JSON.parse(await body('firehose', q('indicators.json', 'type=ipv6&days=1'))).indicators.map((i: { value: string }) => i.value)).toEqual(['2a0e:1d80:dead::1']);
    for (const [name, query, code] of [
      ['nope.txt', '', 404],
      ['ipv4.txt', 'minConfidence=101', 400],
      ['ipv4.txt', 'minConfidence=42', 400],
      ['ipv4.txt', 'days=5', 400],
      ['ipv4.txt', 'type=domain', 400],
      ['rpz.zone', 'type=ipv4', 400],
      ['ipv4.txt', 'tag=a&tag=b', 400],
      ['ipv4.txt', 'feed=%00', 400],
      ['__proto__', '', 404],
    ] as const) {
      expect(() => q(name, query), `${name}?${query}`).toThrow(expect.objectContaining({ status: code }));
    }
  });

  it('keep the ETag while the content is the same, and the Free tier is the data as of its delay', async () => {
    const a = await getExport(deps(), 'firehose', q('ipv4.txt'));
    // Past the interval a stale snapshot is served while one refresh runs: wait for the new one.
    let b = a;
    await expect.poll(async () => (b = await getExport(deps(), 'firehose', q('ipv4.txt'))).snapshot !== a.snapshot, { timeout: 30_000, interval: 300 }).toBe(true);
    expect(b.etag).toBe(a.etag);
    expect(b.lastModified).toEqual(a.lastModified);
    // Reported seconds ago: not in the Free tier's snapshot (an hour behind), in one taken an hour later.
    expect((await body('free', q('ipv4.txt')))).toBe('');
    const later = await loadExportSnapshot(t.db.sql, { tier: 'free', asOf: new Date(Date.now() + 1000), maxRows: 100 });
    expect(later.rows.map((r) => r.value)).toContain('45.83.64.1');
  });
});

describe('search, browse and feeds', () => {
  it('search finds exact, defanged, prefix, suffix and substring matches among public values only', async () => {
    const hits = async (s: string) => {
      const r = await searchPublicIndicators(t.db.sql, s);
      if (!r.ok) throw new Error(r.reason);
      return r.hits.map((h) => `${h.match}:${h.value}`);
    };
    expect(await hits('45[.]83[.]64[.]1')).toEqual(['exact:45.83.64.1']);
    expect(await hits('hxxp://evil[.]example-phish[.]net/login')).toEqual(['exact:http://evil.example-phish.net/login']);
    expect(await hits('evil.example-phish.net')).toEqual(expect.arrayContaining(['exact:evil.example-phish.net', 'suffix:login.evil.example-phish.net']));
    expect(await hits('login.evil')).toEqual(['prefix:login.evil.example-phish.net']);
    expect(await hits('example-phish')).toEqual(expect.arrayContaining(['substring:evil.example-phish.net']));
    expect(await hits('only-private')).toEqual([]);
    expect(await hits('45.83.64.2')).toEqual([]);
    expect(await hits('8.8.8.8')).toEqual([]);
    expect(await hits('withdrawn')).toEqual([]);
    const short = await searchPublicIndicators(t.db.sql, 'ab');
    expect(short.ok).toBe(false);
    expect((await searchPublicIndicators(t.db.sql, 'a\u0000bc')).ok).toBe(false);
  });

  it('browse pages never skip or repeat, while reports keep arriving', async () => {
    const reporter = await createUser(t.db, 'free');
    await makeFeed(t.db, reporter.id, 'paging');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 2, max: 7 }), fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 6 }), async (pageSize, arrivals) => {
        const run = Math.random().toString(36).slice(2, 8);
        const start = await browseAll(pageSize, []);
        const seen: string[] = [];
        let before: string | null = null;
        let step = 0;
        do {
          const page = await browsePublicIndicators(t.db.sql, { before, limit: pageSize });
          seen.push(...page.items.map((i) => i.value));
          before = page.next;
          // New reports (new values and re-sightings of old ones) between page reads.
          const n = arrivals[step++ % arrivals.length];
          if (n) await ingest(reporter.id, 'paging', [...Array.from({ length: n }, (_, k) => `p${run}-${step}-${k}.paging-test.net`), '45.83.64.1']);
        } while (before);
        expect(new Set(seen).size).toBe(seen.length); // no repeats
        for (const v of start) expect(seen).toContain(v); // nothing that was there at the start is skipped
      }),
      { numRuns: 4 },
    );
  }, 300_000);

  it('the catalogue and feed pages name owners by display name, never an e-mail or id', async () => {
    const feeds = await findPublicFeeds(t.db.sql);
    const hp = feeds.find((f) => f.slug === 'honeypot')!;
    expect(hp.owner).toMatch(/^reporter-[0-9a-f]{12}$/);
    expect(hp).toMatchObject({ name: 'Honeypot <b>x</b>', description: 'SSH brute force' });
    expect(hp.sightings7d).toBeGreaterThanOrEqual(5);
    expect(feeds.some((f) => f.slug === 'secret')).toBe(false);
    const text = JSON.stringify(feeds);
    expect(text).not.toContain(owner.email);
    expect(text).not.toContain(owner.id);
    expect(await getPublicFeed(t.db.sql, owner.id)).toBeNull();
    const reports = await findFeedReports(t.db.sql, hp.id);
    expect(reports.items.map((r) => r.value)).toContain('45.83.64.1');
    expect(reports.items.map((r) => r.value)).not.toContain('8.8.8.8');

    await expect(updateDisplayName(t.db.prisma, owner.id, 'reporter-1234')).rejects.toMatchObject({ code: 'invalid_display_name' });
    await expect(updateDisplayName(t.db.prisma, owner.id, 'a\u202egoogle')).rejects.toMatchObject({ code: 'invalid_display_name' });
    await expect(updateDisplayName(t.db.prisma, owner.id, '  Honeynet Team  ')).resolves.toEqual({ displayName: 'Honeynet Team' });
    const other = await createUser(t.db, 'free');
    await expect(updateDisplayName(t.db.prisma, other.id, 'honeynet team')).rejects.toMatchObject({ code: 'display_name_taken' });
    expect((await getPublicFeed(t.db.sql, hp.id))?.owner).toBe('Honeynet Team');
  });
});

async function browseAll(pageSize: number, acc: string[]): Promise<string[]> {
  let before: string | null = null;
  do {
    const page = await browsePublicIndicators(t.db.sql, { before, limit: pageSize });
    acc.push(...page.items.map((i) => i.value));
    before = page.next;
  } while (before);
  return acc;
}
