// Jobs while PostgreSQL is down (BullMQ on a Redis that stays up): a job that fails only because the
// database is unreachable has not failed. It waits for the database and runs when it is back; it
// does not burn its attempts in seconds, land in the dead-letter list and page the operators
// (ALERT_WEBHOOK_URL) for every analysis and scan that happened to be queued during the outage.
// Uses a PostgreSQL cluster and a redis-server of its own (tests/faults/private-*.ts).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '@/lib/db';
import { createBullQueue } from '@/lib/jobs/bullmq-queue';
import type { JobQueue } from '@/lib/jobs/types';
import { createAccount } from '@/tests/helpers/fixtures';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { uniqueName } from '@/tests/helpers/test-env';
import { privatePostgresUnavailable, startPrivatePostgres, type PrivatePostgres } from './private-postgres';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

const unavailable = privatePostgresUnavailable();
const VALUES = ['jobs-outage-1.example-test.net', 'jobs-outage-2.example-test.net', 'jobs-outage-3.example-test.net'];

describe.skipIf(unavailable)('jobs while PostgreSQL is down', () => {
  let cluster: PrivatePostgres;
  let redis: PrivateRedis;
  let server: ServerProcess;
  let token: string;
  let client: Redis;
  let queue: JobQueue;
  const alerts: string[] = [];
  const alertSink = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      alerts.push(body);
      res.writeHead(204).end();
    });
  });

  beforeAll(async () => {
    cluster = await startPrivatePostgres();
    redis = await startPrivateRedis();
    const db = await openDatabase({ DATABASE_URL: cluster.url, DATA_DIR: './data' });
    token = (await createAccount(db.prisma, { feeds: [{ slug: 'steady' }] })).token;
    await db.close();
    await new Promise<void>((resolve) => alertSink.listen(0, '127.0.0.1', resolve));
    const prefix = `${uniqueName('jobs')}:`;
    server = await startServer({
      DATABASE_URL: cluster.url,
      REDIS_URL: redis.url,
      REDIS_PREFIX: prefix,
      // Quick retries and a scan every second: the old behaviour dead-lettered within a second or two.
      JOB_BACKOFF_MS: '200',
      EXPIRY_SCAN_SECONDS: '1',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(alertSink.address() as AddressInfo).port}/alert`,
    });
    client = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    queue = createBullQueue({ name: 'analysis', redis: client, prefix, defaults: { attempts: 5, backoffMs: 200 } });
  }, 180_000);
  afterAll(async () => {
    await queue?.close();
    client?.disconnect();
    await server?.stop();
    await redis?.kill();
    await cluster?.destroy();
    alertSink.close();
  });

  /** Completed runs per job name, from the node's own counters (GET /metrics, loopback). */
  async function completed(): Promise<Record<string, number>> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^sluice_jobs_completed_total\{[^}]*name="([^"]+)"[^}]*\} (\d+)/gm)) out[m[1]] = Number(m[2]);
    return out;
  }

  it('keeps the jobs queued during the outage, dead-letters none, and runs them when it is back', async () => {
    const res = await fetch(`${server.url}/api/v1/feeds/steady/indicators`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: VALUES.join('\n'),
    });
    expect(res.status).toBe(200);
    await expect.poll(async () => (await completed()).analyze ?? 0, { timeout: 20_000, interval: 200 }).toBeGreaterThan(0);
    await expect.poll(async () => (await completed()).expire ?? 0, { timeout: 20_000, interval: 200 }).toBeGreaterThan(0);
    const before = await completed();

    await cluster.stop();
    // Analyses asked for while the database is down (as the enqueuer does after a commit).
    const at = Date.now();
    await queue.addBulk(VALUES.map((v) => ({ name: 'analyze', data: { items: [{ t: 'domain', v, p: true }], reason: 'sighting', at } })));
    // Long enough for five attempts at 200 ms backoff, and for several scans to be scheduled.
    await new Promise((r) => setTimeout(r, 6000));
    const during = await queue.stats();
    console.log(`[jobs-pg-down] during the outage: ${JSON.stringify(during.counts)}, ${alerts.length} alerts`);
    expect(during.counts.dead).toBe(0);
    expect(alerts).toEqual([]);

    await cluster.start();
    // Back: the analyses queued during the outage and the next scan run, by themselves.
    await expect
      .poll(async () => ((await completed()).analyze ?? 0) - (before.analyze ?? 0), { timeout: 30_000, interval: 250 })
      .toBeGreaterThanOrEqual(VALUES.length);
    await expect.poll(async () => ((await completed()).expire ?? 0) - (before.expire ?? 0), { timeout: 30_000, interval: 250 }).toBeGreaterThan(0);
    const after = await queue.stats();
    console.log(`[jobs-pg-down] after: ${JSON.stringify(after.counts)}, ${alerts.length} alerts`);
    expect(after.counts.dead).toBe(0);
    expect(alerts).toEqual([]);
  }, 120_000);
});

if (unavailable) console.log(`[jobs-pg-down] skipped: ${unavailable}`);
