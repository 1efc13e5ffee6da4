// Expiry (one `expired` event per indicator not seen for its type's lifetime, never for private-only
// indicators, again only after a new sighting) and analyzer time limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalyzerContext, expireIndicators, runAnalysis, type Analyzer } from '@/lib/analyzers';
import { allowListFromConfig } from '@/lib/ingest';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, ingest, makeFeed, outboxPayloads } from '@/tests/integration/ingest/helpers';
import { testJobsConfig } from '../jobs/helpers';

const DAY = 86_400_000;
const config = testJobsConfig({ EXPIRY_DAYS_IP: 21, EXPIRY_DAYS_OTHER: 45, ANALYZER_TIMEOUT_MS: 200 });
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });
let t: TestDatabase;
let owner: string;

beforeAll(async () => {
  t = await createTestDatabase();
  owner = (await createUser(t.db)).id;
  await makeFeed(t.db, owner, 'pub');
  await makeFeed(t.db, owner, 'priv', 'RED');
});
afterAll(async () => t?.drop());

const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();
const expiredValues = async () => (await outboxPayloads(t.db)).filter((e) => e.kind === 'expired').map((e) => e.indicator.value).sort();

describe('expiry', () => {
  it('expires each indicator once after its type’s lifetime, and never a private-only one', async () => {
    await ingest(t.db, { ownerId: owner, feed: 'pub', items: [
      { value: '45.9.1.30', reportedAt: ago(30) },
      { value: '45.9.1.10', reportedAt: ago(10) },
      { value: 'old-domain.xyz', reportedAt: ago(50) },
      { value: 'young-domain.xyz', reportedAt: ago(30) },
    ] });
    await ingest(t.db, { ownerId: owner, feed: 'priv', items: [{ value: 'secret-domain.xyz', reportedAt: ago(90) }] });
    const ctx = await createAnalyzerContext({ sql: t.db.sql, allowList, config }, new AbortController().signal);

    expect(await expireIndicators(ctx)).toBe(2);
    expect(await expiredValues()).toEqual(['45.9.1.30', 'old-domain.xyz']);
    const events = (await outboxPayloads(t.db)).filter((e) => e.kind === 'expired');
    expect(events.every((e) => e.feed.slug === 'expired')).toBe(true);
    // Publishing the event does not make the indicator "seen" again.
    expect(Date.parse(events.find((e) => e.indicator.value === '45.9.1.30')!.indicator.lastSeen)).toBeLessThan(Date.now() - 29 * DAY);

    expect(await expireIndicators(ctx)).toBe(0);

    // Seen again, then silent again for its lifetime: it expires again (clock moved 22 days on).
    await ingest(t.db, { ownerId: owner, feed: 'pub', items: [{ value: '45.9.1.30', reportedAt: ago(1) }] });
    expect(await expireIndicators(ctx)).toBe(0);
    const later = await createAnalyzerContext({ sql: t.db.sql, allowList, config, now: () => Date.now() + 22 * DAY }, new AbortController().signal);
    expect(await expireIndicators(later)).toBeGreaterThanOrEqual(1);
    expect((await expiredValues()).filter((v) => v === '45.9.1.30')).toHaveLength(2);
  });
});

describe('analyzer time limits', () => {
  it('fails the run when an analyzer exceeds its timeout, and aborts its signal', async () => {
    let aborted = false;
    const slow: Analyzer = {
      name: 'slow',
      timeoutMs: 50,
      analyze: (inputs, ctx) =>
        new Promise((resolve) => {
          ctx.signal.addEventListener('abort', () => {
            aborted = true;
            resolve(inputs.map(() => []));
          });
        }),
    };
    await expect(
      runAnalysis({ sql: t.db.sql, allowList, config }, [{ type: 'domain', value: 'slow.xyz', public: false }], { analyzers: [slow] }),
    ).rejects.toThrow(/analyzer slow timed out after 50 ms/);
    expect(aborted).toBe(true);
  });

  it('stores the findings of every analyzer when all finish in time', async () => {
    const quick: Analyzer = { name: 'quick', analyze: async (inputs) => inputs.map(() => [{ analyzer: 'quick', kind: 'note', summary: 'hello', at: new Date().toISOString() }]) };
    await runAnalysis({ sql: t.db.sql, allowList, config }, [{ type: 'domain', value: 'quick.xyz', public: false }], { analyzers: [quick] });
    const [row] = await t.db.sql.query<{ status: string; findings: { summary: string }[] }>(`SELECT status, findings FROM indicator_analyses WHERE value = 'quick.xyz'`);
    expect(row.status).toBe('done');
    expect(row.findings.map((f) => f.summary)).toEqual(['hello']);
  });
});
