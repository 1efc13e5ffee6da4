// Trust on the one data path (docs/trust.md): warning lists hold values from the firehose, one account
// cannot poison /threats, the exports or the hot networks, corroboration by distinct reporters
// releases a held value once, and the reporter always sees its own sightings.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzerContext } from '@/lib/analyzers/run-analysis';
import { networkAggregationAnalyzer } from '@/lib/analyzers/network-aggregation';
import type { FirehoseEventBody } from '@/lib/events';
import { allowListFromConfig, ingestIndicators, type IngestInput } from '@/lib/ingest';
import { checkIndicator } from '@/lib/search';
import { findRecentThreats, getIndicatorDetail, getThreatTotals, toThreatsCsv, toThreatsJson } from '@/lib/threats';
import { getTrustFacts } from '@/lib/trust/facts';
import { createTrustPolicy, type TrustPolicy } from '@/lib/trust/policy';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, makeFeed, outboxPayloads } from '@/tests/integration/ingest/helpers';
import { testJobsConfig } from '@/tests/integration/jobs/helpers';

let t: TestDatabase;
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });
/** Production-like: accounts younger than 24 h on the free plan are new. */
const strict: TrustPolicy = createTrustPolicy({}, { TRUST_NEW_ACCOUNT_HOURS: 24 });
/** The default: a fresh account is established at once (only warning-list hits are held). */
const lenient: TrustPolicy = createTrustPolicy({});

const tranco = (JSON.parse(readFileSync('lib/trust/lists/tranco10k.json', 'utf8')) as { list: string[] }).list.slice(0, 1000);
const RESOLVERS = ['8.8.8.8', '8.8.4.4', '1.1.1.1', '1.0.0.1', '9.9.9.9', '149.112.112.112', '208.67.220.220', '64.6.64.6', '208.67.222.222', '2001:4860:4860::8888'];
const EMPTY_HASHES = ['d41d8cd98f00b204e9800998ecf8427e', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'];
const SWEEP = Array.from({ length: 256 }, (_, i) => `91.214.77.${i}`);

function ingest(policy: TrustPolicy, input: IngestInput) {
  return ingestIndicators({ sql: t.db.sql, allowList, trust: policy }, input);
}

async function reporter(feed = 'pub') {
  const user = await createUser(t.db);
  await makeFeed(t.db, user.id, feed);
  return user;
}

/** Makes an account older than the new-account period. */
async function age(userId: string, days = 30) {
  await t.db.sql.query(`UPDATE users SET created_at = now() - ($2 || ' days')::interval WHERE id = $1::uuid`, [userId, String(days)]);
}

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('one fresh account cannot poison the firehose', () => {
  it('top domains, public resolvers, empty-file hashes and a /24 sweep: nothing streams, /threats and exports stay clean, no hot network', async () => {
    const user = await reporter();
    const values = [...tranco, ...RESOLVERS, ...EMPTY_HASHES, ...SWEEP];
    for (let i = 0; i < values.length; i += 500) {
      const result = await ingest(strict, { ownerId: user.id, feed: 'pub', items: values.slice(i, i + 500) });
      for (const r of result.results) {
        if (r.status === 'accepted') expect(r).toMatchObject({ held: true });
        else expect(r.code).toBe('never_publish'); // the empty-file hashes are never stored at all
      }
    }
    // Nothing on the firehose (every event passes the outbox), nothing public.
    expect(await outboxPayloads(t.db)).toEqual([]);
    const threats = await findRecentThreats(t.db.sql, { type: null, tag: null });
    expect(threats.items).toEqual([]);
    expect(toThreatsJson(threats).indicators ?? []).toEqual([]);
    expect(toThreatsCsv(threats).trim().split('\n')).toHaveLength(1);
    expect(await getThreatTotals(t.db.sql)).toMatchObject({ indicators: 0, sightings24h: 0 });
    // The analyzers see no public sighting: no hot network.
    const ctx = await createAnalyzerContext({ sql: t.db.sql, allowList, config: testJobsConfig() }, new AbortController().signal);
    await networkAggregationAnalyzer.analyze(SWEEP.slice(0, 20).map((v) => ({ type: 'ipv4', value: v, public: true })), ctx);
    expect((await outboxPayloads(t.db)).filter((e) => e.feed.slug === 'hot-networks')).toEqual([]);
    // The reporter still sees its own sightings, with the list that matched.
    const own = await checkIndicator(t.db.sql, user.id, { value: '8.8.8.8' });
    expect(own).toMatchObject({ known: true, sightings: 1, warnings: ['public-dns-v4'] });
    const other = await createUser(t.db);
    expect(await checkIndicator(t.db.sql, other.id, { value: '8.8.8.8' })).toMatchObject({ known: false, warnings: ['public-dns-v4'] });
    const [w] = await t.db.sql.query<{ warnings: string[] }>(
      `SELECT s.warnings FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE i.value = '8.8.8.8'`,
    );
    expect(w.warnings).toEqual(['public-dns-v4']);
  });

  it('with the default policy a fresh account streams at once, but warning-list values are held and its /24 sweep makes no hot network', async () => {
    await t.db.sql.query(`DELETE FROM outbox`);
    const user = await reporter();
    const result = await ingest(lenient, { ownerId: user.id, feed: 'pub', items: ['google.com', '9.9.9.9', 'evil-c2-host.top', ...SWEEP.slice(0, 32).map((v) => v.replace('91.214.77', '91.214.78'))] });
    expect(result.results.slice(0, 3).map((r) => (r.status === 'accepted' ? (r.held ? `held:${r.warnings}` : r.kind) : r.code))).toEqual([
      'held:google,tranco10k',
      'held:public-dns-v4',
      'new',
    ]);
    const events = await outboxPayloads(t.db);
    expect(events.map((e) => e.indicator.value)).not.toContain('google.com');
    expect(events).toHaveLength(33);
    expect(events[0].indicator).toMatchObject({ reporters: 1, warnings: [], confidence: 50 });
    expect(Date.parse(events[0].expiresAt!) - Date.parse(events[0].indicator.lastSeen)).toBe(45 * 86_400_000);
    expect(Date.parse(events[1].expiresAt!) - Date.parse(events[1].indicator.lastSeen)).toBe(21 * 86_400_000);
    // Reporters, not rows: 32 addresses of one /24 from one account is not a hot network.
    const ctx = await createAnalyzerContext({ sql: t.db.sql, allowList, config: testJobsConfig() }, new AbortController().signal);
    await networkAggregationAnalyzer.analyze([{ type: 'ipv4', value: '91.214.78.1', public: true }], ctx);
    expect((await outboxPayloads(t.db)).filter((e) => e.feed.slug === 'hot-networks')).toEqual([]);
    // A second reporter with enough addresses of its own makes it hot.
    const second = await reporter();
    await ingest(lenient, { ownerId: second.id, feed: 'pub', items: SWEEP.slice(100, 120).map((v) => v.replace('91.214.77', '91.214.78')) });
    await networkAggregationAnalyzer.analyze([{ type: 'ipv4', value: '91.214.78.1', public: true }], ctx);
    const hot = (await outboxPayloads(t.db)).filter((e) => e.feed.slug === 'hot-networks');
    expect(hot.map((e) => e.indicator.value)).toEqual(['91.214.78.0/24']);
  });
});

describe('corroboration', () => {
  it('the same listed IP from three established accounts streams once, as corroborated, with the reporter count', async () => {
    await t.db.sql.query(`DELETE FROM outbox`);
    const users = [await reporter(), await reporter(), await reporter()];
    for (const u of users) await age(u.id);
    const kinds: unknown[] = [];
    for (const [i, u] of users.entries()) {
      const r = await ingest(strict, { ownerId: u.id, feed: 'pub', items: [{ value: '77.88.8.8', tags: [`t${i}`], confidence: 60 }] });
      kinds.push(r.results[0].status === 'accepted' ? (r.results[0].held ? 'held' : r.results[0].kind) : 'rejected');
    }
    expect(kinds).toEqual(['held', 'held', 'new']);
    const events = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === '77.88.8.8');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'new',
      indicator: { reporters: 3, count: 3, warnings: ['public-dns-v4'], corroborated: true, tags: ['t0', 't1', 't2'], confidence: 90 },
    });
    expect(await getIndicatorDetail(t.db.sql, { type: 'ipv4', value: '77.88.8.8' })).toMatchObject({ sightings: 3 });
    // While the value stays corroborated (3+ reporters within the window), a fourth report streams at once.
    const fourth = await reporter();
    await age(fourth.id);
    const r = await ingest(strict, { ownerId: fourth.id, feed: 'pub', items: ['77.88.8.8'] });
    expect(r.results[0]).toMatchObject({ kind: 'sighting' });
    const after = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === '77.88.8.8');
    expect(after[1].indicator).toMatchObject({ reporters: 4, count: 4, warnings: ['public-dns-v4'] });
    expect(await getTrustFacts(t.db.sql, { type: 'ipv4', value: '77.88.8.8' })).toEqual({ reporters: 4, warnings: ['public-dns-v4'], openDisputes: 0 });
  });

  it('a new account is held until established or corroborated; an established one streams at once; untrusted waits', async () => {
    await t.db.sql.query(`DELETE FROM outbox`);
    const fresh = await reporter();
    const old = await reporter();
    await age(old.id);
    const a = await ingest(strict, { ownerId: fresh.id, feed: 'pub', items: ['bad-domain-one.top'] });
    expect(a.results[0]).toMatchObject({ held: true });
    const b = await ingest(strict, { ownerId: old.id, feed: 'pub', items: ['bad-domain-two.top'] });
    expect(b.results[0]).toMatchObject({ kind: 'new' });
    await t.db.sql.query(`UPDATE users SET trust_level = 'untrusted' WHERE id = $1::uuid`, [old.id]);
    const c = await ingest(strict, { ownerId: old.id, feed: 'pub', items: ['bad-domain-three.top'] });
    expect(c.results[0]).toMatchObject({ held: true });
    await t.db.sql.query(`UPDATE users SET trust_level = 'trusted' WHERE id = $1::uuid`, [fresh.id]);
    const d = await ingest(strict, { ownerId: fresh.id, feed: 'pub', items: ['bad-domain-four.top'] });
    expect(d.results[0]).toMatchObject({ kind: 'new' });
    const values = (await outboxPayloads(t.db)).map((e: FirehoseEventBody) => e.indicator.value);
    expect(values).toEqual(['bad-domain-two.top', 'bad-domain-four.top']);
  });
});
