// Retracting part of what was reported (docs/trust.md): a feed owner withdraws a value from their
// feed, an operator withdraws a whole reporter; operators add and remove warning lists without a
// restart. A value still public through someone else stays; one that is not leaves /threats, the
// exports and the counts and gets a `retracted` event; reporters keep seeing their own sightings.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { checkIndicator } from '@/lib/search';
import { findRecentThreats, getThreatTotals, toThreatsCsv, toThreatsJson } from '@/lib/threats';
import { runTrustAdminCommand } from '@/lib/trust/admin';
import { getTrustFacts } from '@/lib/trust/facts';
import { createTrustPolicy, defaultTrustPolicy, type TrustPolicy } from '@/lib/trust/policy';
import { retractFromFeed } from '@/lib/trust/retract-contributions';
import { WarningLists } from '@/lib/trust/warning-lists';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, makeFeed, outboxPayloads } from '@/tests/integration/ingest/helpers';

let t: TestDatabase;
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });
const policy: TrustPolicy = createTrustPolicy({});

async function reporter(feed = 'pub') {
  const user = await createUser(t.db);
  await makeFeed(t.db, user.id, feed);
  return user;
}
const report = (ownerId: string, items: unknown[], trust: TrustPolicy = policy, feed = 'pub') =>
  ingestIndicators({ sql: t.db.sql, allowList, trust }, { ownerId, feed, items });
const publicValues = async () => (await findRecentThreats(t.db.sql, { type: null, tag: null })).items.map((i) => i.value);
const retractedEvents = async () => (await outboxPayloads(t.db)).filter((e) => e.kind === 'retracted');

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('a feed owner retracts a value from their feed', () => {
  it('a value only they published leaves the public views with a retracted event; a shared one stays, recounted', async () => {
    const owner = await reporter();
    const other = await reporter();
    await report(owner.id, [{ value: 'only-mine.top', tags: ['phish'], confidence: 70 }, 'shared-one.top', 'shared-one.top']);
    await report(other.id, ['shared-one.top']);
    expect(await publicValues()).toEqual(expect.arrayContaining(['only-mine.top', 'shared-one.top']));

    const r = await retractFromFeed(t.db.sql, owner.id, 'pub', { value: 'Only-Mine.top', reason: 'typo in my pipeline' });
    expect(r).toMatchObject({ type: 'domain', value: 'only-mine.top', status: 'retracted', sightings: 1, stillPublic: false, eventId: expect.any(String) });
    const [event] = (await retractedEvents()).filter((e) => e.indicator.value === 'only-mine.top');
    expect(event).toMatchObject({ id: r.eventId, indicator: { tags: ['phish'], confidence: 70, count: 0 }, retraction: { reason: 'typo in my pipeline' } });
    expect(await publicValues()).not.toContain('only-mine.top');
    const list = await findRecentThreats(t.db.sql, { type: null, tag: null });
    expect(toThreatsJson(list).indicators.map((i) => i.value)).not.toContain('only-mine.top');
    expect(toThreatsCsv(list)).not.toContain('only-mine.top');
    expect(await checkIndicator(t.db.sql, other.id, { value: 'only-mine.top' })).toMatchObject({ known: false });
    expect(await checkIndicator(t.db.sql, owner.id, { value: 'only-mine.top' })).toMatchObject({ known: true, sightings: 1 });

    const shared = await retractFromFeed(t.db.sql, owner.id, 'pub', { type: 'domain', value: 'shared-one.top', reason: 'not sure any more' });
    expect(shared).toMatchObject({ status: 'retracted', sightings: 2, stillPublic: true, eventId: null });
    expect(await publicValues()).toContain('shared-one.top');
    expect(await getTrustFacts(t.db.sql, { type: 'domain', value: 'shared-one.top' })).toMatchObject({ reporters: 1 });
    const [row] = await t.db.sql.query<{ public_count: number }>(`SELECT public_count FROM indicators WHERE value = 'shared-one.top'`);
    expect(row.public_count).toBe(1);
    expect((await retractedEvents()).map((e) => e.indicator.value)).not.toContain('shared-one.top');

    // Again: nothing left to withdraw. Unknown feed, value not in the feed, bad input: clear errors.
    expect(await retractFromFeed(t.db.sql, owner.id, 'pub', { value: 'only-mine.top', reason: 'x' })).toMatchObject({ status: 'already_retracted', sightings: 0 });
    await expect(retractFromFeed(t.db.sql, owner.id, 'nope', { value: 'only-mine.top', reason: 'x' })).rejects.toMatchObject({ code: 'feed_not_found', status: 404 });
    await expect(retractFromFeed(t.db.sql, other.id, 'pub', { value: 'only-mine.top', reason: 'x' })).rejects.toMatchObject({ code: 'indicator_not_found', status: 404 });
    await expect(retractFromFeed(t.db.sql, owner.id, 'pub', { value: 'only-mine.top' })).rejects.toMatchObject({ status: 400 });
    await expect(retractFromFeed(t.db.sql, owner.id, 'pub', { value: 'x', reason: 'x', extra: 1 })).rejects.toMatchObject({ status: 400 });
    await expect(retractFromFeed(t.db.sql, owner.id, 'pub', { value: 'not a value at all', reason: 'x' })).rejects.toMatchObject({ status: 422 });
    await expect(retractFromFeed(t.db.sql, owner.id, 'pub', 'junk')).rejects.toMatchObject({ status: 400 });
  });
});

describe('an operator retracts a whole reporter', () => {
  it('values public only thanks to it leave /threats, exports and counts with retracted events; the account is untrusted', async () => {
    await t.db.sql.query(`DELETE FROM outbox`);
    const bad = await reporter();
    const good = await reporter();
    const [{ email }] = await t.db.sql.query<{ email: string }>(`SELECT email FROM users WHERE id = $1::uuid`, [bad.id]);
    await report(bad.id, ['junk-one.top', 'junk-two.top', 'both-saw.top', '9.9.9.9']);
    await report(good.id, ['both-saw.top']);
    const totals = await getThreatTotals(t.db.sql);

    const out = await runTrustAdminCommand({ prisma: t.db.prisma }, { type: 'user.retract', email: email.toUpperCase(), reason: 'spam account' });
    expect(out.lines[0]).toMatch(/: 4 sightings of 4 values withdrawn; 2 values no longer public .* trust normal → untrusted$/);
    const gone = (await retractedEvents()).map((e) => e.indicator.value).sort();
    expect(gone).toEqual(['junk-one.top', 'junk-two.top']); // 9.9.9.9 was held (a warning list), never public
    const values = await publicValues();
    expect(values).not.toContain('junk-one.top');
    expect(values).toContain('both-saw.top');
    expect((await getThreatTotals(t.db.sql)).indicators).toBe(totals.indicators - 2);
    expect(await getTrustFacts(t.db.sql, { type: 'domain', value: 'both-saw.top' })).toMatchObject({ reporters: 1 });
    // The reporter still sees its own; its later reports are held until others corroborate them.
    expect(await checkIndicator(t.db.sql, bad.id, { value: 'junk-one.top' })).toMatchObject({ known: true });
    const later = await report(bad.id, ['junk-three.top']);
    expect(later.results[0]).toMatchObject({ held: true });
    await expect(runTrustAdminCommand({ prisma: t.db.prisma }, { type: 'user.retract', email: 'nobody@example.net', reason: 'x' })).rejects.toMatchObject({ code: 'user_not_found' });
    await expect(runTrustAdminCommand({ prisma: t.db.prisma }, { type: 'user.retract', email, reason: ' ' })).rejects.toMatchObject({ status: 400 });
  });
});

describe('operators add and remove warning lists without a restart', () => {
  it('an added list holds matching values at once and counts its hits; removing it lets them stream', async () => {
    const prisma = t.db.prisma;
    const lists = defaultTrustPolicy().lists; // the node's own, which the commands invalidate
    const trust: TrustPolicy = { ...policy, lists };
    const user = await reporter();
    const added = await runTrustAdminCommand(
      { prisma },
      { type: 'warninglist', action: 'add', list: { id: 'corp-cdn', type: 'hostname', entries: ['cdn.corp-example.top', 'cdn.corp-example.top', 'not a host'] } },
    );
    expect(added.lines[0]).toMatch(/^added corp-cdn: 2 entries \(1 not usable, ignored\)/);
    const first = await report(user.id, ['edge7.cdn.corp-example.top'], trust);
    expect(first.results[0]).toMatchObject({ held: true, warnings: ['corp-cdn'] });
    await expect.poll(async () => (await runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'list' })).lines.find((l) => l.startsWith('corp-cdn'))).toMatch(
      /^corp-cdn\s+hostname\s+2\s+enabled\s+1\s+\S+\s+\(added by an operator\)$/,
    );
    // A second node (its own WarningLists, as after a restart elsewhere) compiles it too.
    const elsewhere = new WarningLists(lists.dir, 0);
    expect((await elsewhere.current(t.db.sql)).match('domain', 'a.cdn.corp-example.top')).toEqual(['corp-cdn']);

    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'add', list: { id: 'corp-cdn', type: 'hostname', entries: ['x.top'] } })).rejects.toMatchObject({ code: 'warning_list_exists', status: 409 });
    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'add', list: { id: 'tranco10k', type: 'hostname', entries: ['x.top'] } })).rejects.toMatchObject({ status: 409 });
    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'add', list: { id: 'nets', type: 'cidr', entries: ['not-a-cidr'] } })).rejects.toMatchObject({ code: 'invalid_list', status: 400 });
    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'add', list: { id: 'Bad Id!', type: 'cidr', entries: ['10.0.0.0/8'] } })).rejects.toMatchObject({ status: 400 });
    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'add', list: { id: 'weird', type: 'regex', entries: ['.*'] } })).rejects.toMatchObject({ status: 400 });
    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'remove', name: 'public-dns-v4' })).rejects.toMatchObject({ code: 'shipped_list', status: 409 });

    expect((await runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'remove', name: 'corp-cdn' })).lines[0]).toMatch(/^removed corp-cdn/);
    const after = await report(user.id, ['edge8.cdn.corp-example.top'], trust);
    expect(after.results[0]).toMatchObject({ kind: 'new' });
    await expect(runTrustAdminCommand({ prisma }, { type: 'warninglist', action: 'remove', name: 'corp-cdn' })).rejects.toMatchObject({ code: 'warning_list_not_found', status: 404 });
    expect((await elsewhere.current(t.db.sql)).match('domain', 'a.cdn.corp-example.top')).toEqual([]);
  });

  it('compiles every list at start-up (warm), not on the first submission', async () => {
    const lists = new WarningLists(defaultTrustPolicy().lists.dir);
    const warmed = await lists.warm(t.db.sql);
    expect(warmed.lists).toBeGreaterThanOrEqual(12);
    expect(warmed.entries).toBeGreaterThan(80_000);
    console.log(`warning lists compiled at start-up: ${warmed.lists} lists, ${warmed.entries} entries in ${warmed.ms} ms`);
  });
});
