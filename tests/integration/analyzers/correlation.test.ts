// Correlation end to end: sightings through ingestIndicators → afterCommit enqueue → workers →
// system feed through ingestIndicators → outbox → relay → firehose log. Three distinct users make
// exactly one `correlated` event; a fourth does not make another; two users, or private reports, none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config';
import type { FirehoseEventBody } from '@/lib/events';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { createJobQueue, type JobQueue } from '@/lib/jobs';
import { createAnalysisEnqueuer, type AnalysisEnqueuer } from '@/lib/jobs/analysis-enqueuer';
import { createLogger } from '@/lib/logger';
import { startRelay, type Relay } from '@/server/relay';
import { startWorkers, type Workers } from '@/server/workers';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, uniqueName, type TestDatabase } from '@/tests/helpers/test-env';
import { createUser, makeFeed } from '@/tests/integration/ingest/helpers';
import { testJobsConfig, waitFor } from '../jobs/helpers';

const logger = createLogger('silent');
const config = testJobsConfig({ CORRELATION_MIN_USERS: 3, HOT_NETWORK_MIN_ADDRESSES: 4 });
let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let queue: JobQueue;
let enqueuer: AnalysisEnqueuer;
let workers: Workers;
let relay: Relay;
const users: { id: string; feed: string }[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  queue = createJobQueue({ db: t.db, engines }, config, uniqueName('analysis'));
  enqueuer = createAnalysisEnqueuer(queue, { batchMs: 10 });
  const runtime = { config: parseConfig({}), db: t.db, engines, logger };
  workers = startWorkers(runtime, { queue, config, scheduler: false, concurrency: 2 });
  relay = startRelay({ engines, logger }, { pollMs: 20 });
  for (let i = 0; i < 5; i++) {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'mine');
    await makeFeed(t.db, user.id, 'secret', 'AMBER');
    users.push({ id: user.id, feed: 'mine' });
  }
});
afterAll(async () => {
  await workers?.stop();
  await relay?.stop();
  await queue?.close();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop();
});

function report(user: number, value: string, feed = 'mine') {
  return ingestIndicators(
    { sql: t.db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }), afterCommit: enqueuer.afterCommit },
    { ownerId: users[user].id, feed, items: [value] },
  );
}

/** Waits until every enqueued job ran and the relay moved every outbox row to the log. */
async function settle() {
  await enqueuer.flush();
  await waitFor(async () => {
    const { counts } = await queue.stats();
    if (counts.waiting + counts.active + counts.delayed > 0) return false;
    const [row] = await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`);
    return row.n === 0;
  }, 20_000, 'the queue and the outbox to drain');
}

async function logEvents(): Promise<FirehoseEventBody[]> {
  const out: FirehoseEventBody[] = [];
  let after: string | null = null;
  for (;;) {
    const entries = await engines.log.read(after, 1000);
    if (!entries.length) return out;
    for (const e of entries) out.push(JSON.parse(e.data) as FirehoseEventBody);
    after = entries[entries.length - 1].cursor;
  }
}
const correlated = async (value: string) => (await logEvents()).filter((e) => e.kind === 'correlated' && e.indicator.value === value);

describe('correlation', () => {
  it('three distinct users within the window make exactly one correlated event; a fourth does not make another', async () => {
    const ip = '45.83.12.23';
    await report(0, ip);
    await report(1, ip);
    await report(1, ip); // the same user twice is still two users
    await settle();
    expect(await correlated(ip)).toHaveLength(0);

    await report(2, ip);
    await settle();
    const events = await correlated(ip);
    expect(events).toHaveLength(1);
    expect(events[0].feed.slug).toBe('correlated');
    expect(events[0].indicator).toMatchObject({ type: 'ipv4', value: ip });
    expect(events[0].indicator.tags).toContain('correlated');

    await report(3, ip);
    await settle();
    expect(await correlated(ip)).toHaveLength(1);

    const [analysis] = await t.db.sql.query<{ status: string; findings: { kind: string }[] }>(
      `SELECT status, findings FROM indicator_analyses WHERE type = 'ipv4' AND value = $1`,
      [ip],
    );
    expect(analysis.status).toBe('done');
    expect(analysis.findings.map((f) => f.kind)).toContain('correlated');
  });

  it('two users do not correlate', async () => {
    const ip = '45.83.12.77';
    await report(0, ip);
    await report(1, ip);
    await settle();
    expect(await correlated(ip)).toHaveLength(0);
  });

  it('private reports never count (nothing private surfaces)', async () => {
    const ip = '45.83.13.99';
    await report(0, ip);
    await report(1, ip, 'secret');
    await report(2, ip, 'secret');
    await report(3, ip, 'secret');
    await settle();
    // Private sightings are not even enqueued; analyse the value anyway to prove they are not counted.
    await queue.add('analyze', { items: [{ t: 'ipv4', v: ip, p: true }] });
    await settle();
    expect(await correlated(ip)).toHaveLength(0);
    const events = (await logEvents()).filter((e) => e.indicator.value === ip);
    expect(events.map((e) => e.feed.owner)).toEqual([users[0].id]);
  });

  it('K distinct addresses in one /24 make one hot-network cidr; addresses elsewhere do not', async () => {
    for (let i = 1; i <= 4; i++) await report(i % 3, `91.215.40.${i}`);
    await report(0, '91.215.41.1');
    await settle();
    const hot = (await logEvents()).filter((e) => e.feed.slug === 'hot-networks');
    expect(hot.map((e) => e.indicator.value)).toEqual(['91.215.40.0/24']);
    expect(hot[0].indicator.type).toBe('cidr');
    await report(4, '91.215.40.5');
    await settle();
    expect((await logEvents()).filter((e) => e.feed.slug === 'hot-networks')).toHaveLength(1);
  });

  it('IPv6: K distinct addresses in one /48 make one hot-network cidr; a private report or another /48 does not count', async () => {
    const inOne48 = ['2a0b:4340:a1::1', '2a0b:4340:a1:5::2', '2a0b:4340:a1:6:7:8:9:3'];
    for (const [k, ip] of inOne48.entries()) await report(k, ip);
    await report(3, '2a0b:4340:a1:ffff::9', 'secret');
    await report(4, '2a0b:4340:a2::1');
    await settle();
    const hot6 = async () => (await logEvents()).filter((e) => e.feed.slug === 'hot-networks' && e.indicator.value.includes(':'));
    expect(await hot6()).toEqual([]);
    await report(4, '2a0b:4340:a1:7::7');
    await settle();
    expect((await hot6()).map((e) => e.indicator.value)).toEqual(['2a0b:4340:a1::/48']);
  });

  it('a public URL’s host becomes a related indicator linked both ways', async () => {
    await report(0, 'http://evil-cdn.xyz/path/to/payload.exe');
    await report(0, 'mailbox@phish-mail.top');
    await settle();
    const related = (await logEvents()).filter((e) => e.feed.slug === 'related').map((e) => `${e.indicator.type}:${e.indicator.value}`);
    expect(related.sort()).toEqual(['domain:evil-cdn.xyz', 'domain:phish-mail.top']);
    const rows = await t.db.sql.query<{ value: string; findings: { kind: string; related?: { value: string }[] }[] }>(
      `SELECT value, findings FROM indicator_analyses WHERE value IN ('http://evil-cdn.xyz/path/to/payload.exe', 'evil-cdn.xyz')`,
    );
    const byValue = Object.fromEntries(rows.map((r) => [r.value, r.findings]));
    expect(byValue['http://evil-cdn.xyz/path/to/payload.exe'][0]).toMatchObject({ kind: 'host', related: [{ value: 'evil-cdn.xyz' }] });
    expect(byValue['evil-cdn.xyz'][0]).toMatchObject({ kind: 'host-of', related: [{ value: 'http://evil-cdn.xyz/path/to/payload.exe' }] });
  });
});
