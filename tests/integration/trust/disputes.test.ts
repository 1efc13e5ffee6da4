// Disputes: a subscriber's false-positive report lowers the confidence the firehose gives the value,
// operators see it in the queue, an upheld dispute retracts the value, a rejected one only closes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { runTrustAdminCommand } from '@/lib/trust/admin';
import { createDispute, listOpenDisputes, resolveDispute } from '@/lib/trust/disputes';
import { createTrustPolicy } from '@/lib/trust/policy';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, makeFeed, outboxPayloads } from '@/tests/integration/ingest/helpers';

let t: TestDatabase;
const policy = createTrustPolicy({});
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('disputes', () => {
  it('lower confidence, queue for operators, uphold retracts, reject closes', async () => {
    const reporter = await createUser(t.db);
    await makeFeed(t.db, reporter.id, 'pub');
    const subscriber = await createUser(t.db);
    const report = (value: string) => ingestIndicators({ sql: t.db.sql, allowList, trust: policy }, { ownerId: reporter.id, feed: 'pub', items: [{ value, confidence: 60 }] });
    await report('cdn-false-positive.top');
    await report('really-bad.top');

    await expect(createDispute(t.db.sql, subscriber.id, { type: 'domain', value: 'never-reported.top', body: { reason: 'x' } })).rejects.toMatchObject({ code: 'indicator_not_found' });
    await expect(createDispute(t.db.sql, subscriber.id, { type: 'domain', value: 'cdn-false-positive.top', body: {} })).rejects.toMatchObject({ status: 400 });
    await expect(createDispute(t.db.sql, subscriber.id, { type: 'nope', value: 'x', body: { reason: 'x' } })).rejects.toMatchObject({ code: 'invalid_type' });
    const first = await createDispute(t.db.sql, subscriber.id, { type: 'domain', value: 'CDN-False-Positive.top', body: { reason: 'our CDN' } });
    expect(first).toMatchObject({ created: true, dispute: { status: 'open', indicator: { value: 'cdn-false-positive.top' } } });
    expect((await createDispute(t.db.sql, subscriber.id, { type: 'domain', value: 'cdn-false-positive.top', body: { reason: 'again' } })).created).toBe(false);
    const second = await createDispute(t.db.sql, subscriber.id, { type: 'domain', value: 'really-bad.top', body: { reason: 'not sure' } });

    // The next event for the disputed value carries a lower confidence (60 → 45 with one open dispute).
    await report('cdn-false-positive.top');
    const events = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === 'cdn-false-positive.top');
    expect(events.map((e) => e.indicator.confidence)).toEqual([60, 45]);

    expect((await listOpenDisputes(t.db.sql)).map((d) => d.id)).toEqual([first.dispute.id, second.dispute.id]);
    const listed = await runTrustAdminCommand({ prisma: t.db.prisma }, { type: 'dispute', action: 'list' });
    expect(listed.lines[0]).toContain('cdn-false-positive.top');

    const upheld = await resolveDispute(t.db.sql, first.dispute.id, 'upheld');
    expect(upheld.retraction).toMatchObject({ status: 'retracted' });
    const retracted = (await outboxPayloads(t.db)).filter((e) => e.kind === 'retracted');
    expect(retracted.map((e) => e.indicator.value)).toEqual(['cdn-false-positive.top']);
    expect(retracted[0].retraction?.reason).toBe('dispute upheld: our CDN');

    const rejected = await runTrustAdminCommand({ prisma: t.db.prisma }, { type: 'dispute', action: 'reject', id: second.dispute.id });
    expect(rejected.lines[0]).toBe(`dispute #${second.dispute.id} rejected`);
    await expect(resolveDispute(t.db.sql, second.dispute.id, 'upheld')).rejects.toMatchObject({ code: 'dispute_closed' });
    expect(await listOpenDisputes(t.db.sql)).toEqual([]);
    const [still] = await t.db.sql.query<{ n: number }>(`SELECT public_count AS n FROM indicators WHERE value = 'really-bad.top'`);
    expect(still.n).toBe(1);
  });
});
