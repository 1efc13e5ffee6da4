// The REST API while Redis is down (issue 10): rate limits fall back to each node's memory, and
// submissions keep being accepted (the outbox holds their events), every answer promptly — no 500
// from the rate limiter, no request waiting seconds on Redis. Uses a redis-server of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { createUserWithToken } from '@/tests/integration/ingest/helpers';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

describe('the API while Redis is down', () => {
  let redis: PrivateRedis;
  let t: TestDatabase;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestDatabase();
    token = (await createUserWithToken(t.db, 'firehose')).token;
    if (t.db.kind === 'embedded') await t.db.close();
    server = await startServer({ ...t.env, REDIS_URL: redis.url, REDIS_PREFIX: 'sluice-redis-down:' });
    const res = await fetch(`${server.url}/api/v1/feeds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'steady' }),
    });
    expect(res.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    await redis?.kill();
    await t?.drop().catch(() => undefined);
  });

  let n = 0;
  async function timed(kind: 'submit' | 'search'): Promise<{ status: number; ms: number }> {
    const started = Date.now();
    const res =
      kind === 'submit'
        ? await fetch(`${server.url}/api/v1/feeds/steady/indicators`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
            body: `redis-down-${(n += 1)}.example-test.net\n`,
            signal: AbortSignal.timeout(20_000),
          })
        : await fetch(`${server.url}/api/v1/indicators?limit=5`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(20_000) });
    await res.arrayBuffer();
    return { status: res.status, ms: Date.now() - started };
  }

  it('accepts submissions and answers searches, promptly, before, during and after the outage', async () => {
    expect((await timed('submit')).status).toBe(200);
    await redis.kill();
    const during: { status: number; ms: number }[] = [];
    const until = Date.now() + 8000;
    while (Date.now() < until) {
      during.push(await timed('submit'));
      during.push(await timed('search'));
      // Paced well under the plan's 600 requests/minute: a 429 would be a right answer, not the point.
      await new Promise((r) => setTimeout(r, 60));
    }
    await redis.start();
    const after: { status: number; ms: number }[] = [];
    for (let i = 0; i < 10; i += 1) after.push(await timed('submit'));

    const slowest = Math.max(...during.map((d) => d.ms));
    console.log(
      `[redis-down] during the outage: ${during.length} requests, statuses ${JSON.stringify(during.reduce<Record<number, number>>((acc, d) => ({ ...acc, [d.status]: (acc[d.status] ?? 0) + 1 }), {}))}, ` +
        `slowest ${slowest} ms; after: ${after.filter((a) => a.status === 200).length}/10 × 200`,
    );
    expect(during.filter((d) => d.status !== 200)).toEqual([]);
    // Before the fix ~70 % were 500s and the rest waited 6–11 s; a loaded machine still answers in well under 3 s.
    expect(slowest).toBeLessThan(3000);
    expect(after.every((a) => a.status === 200)).toBe(true);
  }, 120_000);
});
