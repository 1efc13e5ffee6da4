// PostgreSQL restarted under a steady ingest (issue 10): while it is down the API answers 503 with
// Retry-After — never a 500, never a hang; nothing is half-written (each batch is all there or not
// at all, and every accepted one is all there); and Sluice recovers by itself when it is back.
// Uses a PostgreSQL cluster of its own on a free port (tests/faults/private-postgres.ts).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '@/tests/helpers/server-process';
import { createUserWithToken } from '@/tests/integration/ingest/helpers';
import { startNodeOnPrivatePostgres, type NodeOnPrivatePostgres } from './node-on-private-postgres';
import { privatePostgresUnavailable, type PrivatePostgres } from './private-postgres';

const unavailable = privatePostgresUnavailable();
const BATCH = 20;
const REQUEST_TIMEOUT_MS = 15_000;

interface Outcome {
  batch: string;
  status: number; // 0: no answer within REQUEST_TIMEOUT_MS, or the connection failed
  retryAfter: string | null;
  ms: number;
  at: number;
  error?: string;
}

describe.skipIf(unavailable)('PostgreSQL restarted during ingest', () => {
  let node: NodeOnPrivatePostgres;
  let cluster: PrivatePostgres;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    node = await startNodeOnPrivatePostgres(async (db) => void (token = (await createUserWithToken(db, 'firehose')).token), { JOB_POLL_MS: '200' });
    ({ cluster, server } = node);
    const res = await fetch(`${server.url}/api/v1/feeds`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ slug: 'steady' }),
    });
    expect(res.status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
  });

  async function submitBatch(t0: number): Promise<Outcome> {
    const batch = `b${randomBytes(5).toString('hex')}`;
    const lines = Array.from({ length: BATCH }, (_, i) => `${batch}-${i}.pg-restart.example-test.net`).join('\n');
    const started = Date.now();
    try {
      const res = await fetch(`${server.url}/api/v1/feeds/steady/indicators?tags=${batch}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
        body: lines,
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await res.text();
      const outcome: Outcome = { batch, status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started, at: started - t0 };
      if (res.status >= 400) outcome.error = text.slice(0, 200);
      return outcome;
    } catch (error) {
      return { batch, status: 0, retryAfter: null, ms: Date.now() - started, at: started - t0, error: String(error) };
    }
  }

  it('answers 503 with Retry-After while it is down, writes batches whole, and recovers by itself', async () => {
    const outcomes: Outcome[] = [];
    const t0 = Date.now();
    let running = true;
    const clients = Array.from({ length: 3 }, async () => {
      while (running) {
        outcomes.push(await submitBatch(t0));
        await new Promise((r) => setTimeout(r, 50));
      }
    });
    // Readers too: a search and a page that both need the database.
    const reads: Outcome[] = [];
    const reader = (async () => {
      while (running) {
        for (const target of ['/api/v1/indicators?limit=1', `/i/domain/r${randomBytes(4).toString('hex')}.pg-restart.example-test.net`]) {
          const started = Date.now();
          try {
            const res = await fetch(server.url + target, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
            await res.arrayBuffer();
            reads.push({ batch: target, status: res.status, retryAfter: res.headers.get('retry-after'), ms: Date.now() - started, at: started - t0 });
          } catch (error) {
            reads.push({ batch: target, status: 0, retryAfter: null, ms: Date.now() - started, at: started - t0, error: String(error) });
          }
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();

    await new Promise((r) => setTimeout(r, 3000));
    const stopAt = Date.now() - t0;
    await cluster.stop();
    const stoppedAt = Date.now() - t0;
    await new Promise((r) => setTimeout(r, 6000));
    await cluster.start();
    const startedAt = Date.now() - t0;
    // Recovery: the first accepted batch sent after PostgreSQL is back.
    let recoveredAt: number | null = null;
    const deadline = Date.now() + 60_000;
    while (recoveredAt === null && Date.now() < deadline) {
      const ok = outcomes.find((o) => o.at >= startedAt && o.status === 200);
      if (ok) recoveredAt = ok.at + ok.ms;
      else await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 3000));
    running = false;
    await Promise.all([...clients, reader]);

    const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
    // pg_ctl start returns a little after the server already accepts connections (it polls), so a
    // request that ended just before `startedAt` may rightly have been served: keep a margin.
    const START_POLL_MARGIN_MS = 2000;
    const during = outcomes.filter((o) => o.at >= stoppedAt && o.at + o.ms <= startedAt - START_POLL_MARGIN_MS);
    console.log(
      `[pg-restart] ${outcomes.length} submissions of ${BATCH}: ${count((o) => o.status === 200)} × 200, ${count((o) => o.status === 503)} × 503, ` +
        `${count((o) => o.status >= 500 && o.status !== 503)} × other 5xx, ${count((o) => o.status === 0)} unanswered; ` +
        `stop ${stopAt}→${stoppedAt} ms, down until ${startedAt} ms, first 200 after restart at ${recoveredAt ?? 'never'} ms ` +
        `(recovery ${recoveredAt === null ? '—' : recoveredAt - startedAt} ms); slowest answer ${Math.max(...outcomes.map((o) => o.ms))} ms`,
    );

    const readStatuses = reads.reduce<Record<string, number>>((acc, r) => ({ ...acc, [`${r.batch.startsWith('/i/') ? 'page' : 'search'} ${r.status}`]: (acc[`${r.batch.startsWith('/i/') ? 'page' : 'search'} ${r.status}`] ?? 0) + 1 }), {});
    console.log(`[pg-restart] reads: ${JSON.stringify(readStatuses)}`);
    const badReads = reads.filter((r) => r.status === 0 || (r.status >= 500 && r.status !== 503));
    expect(badReads.slice(0, 5), JSON.stringify(badReads.slice(0, 5))).toEqual([]);
    for (const r of reads.filter((x) => x.status === 503)) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect(reads.some((r) => r.status === 503 && r.batch.startsWith('/i/')), 'a page answered 503 while the database was down').toBe(true);

    // Never a 500, never a hang.
    const bad = outcomes.filter((o) => o.status === 0 || (o.status >= 500 && o.status !== 503) || (o.status >= 400 && o.status < 500));
    expect(bad.slice(0, 5), JSON.stringify(bad.slice(0, 5))).toEqual([]);
    // While it was down: 503 with Retry-After.
    expect(during.length).toBeGreaterThan(0);
    for (const o of during) expect(o.status).toBe(503);
    for (const o of outcomes.filter((x) => x.status === 503)) expect(Number(o.retryAfter)).toBeGreaterThan(0);
    // Recovered by itself, promptly.
    expect(recoveredAt, 'no submission was accepted after the restart').not.toBeNull();
    expect(recoveredAt! - startedAt).toBeLessThan(30_000);

    // Nothing half-written: each batch is whole or absent, and every accepted batch is whole.
    const rows = await node.query<{ tag: string; n: number }>(
      `SELECT t AS tag, count(*)::int AS n FROM sightings CROSS JOIN LATERAL unnest(tags) AS t WHERE t LIKE 'b%' GROUP BY t`,
    );
    const perBatch = new Map(rows.map((r) => [r.tag, r.n]));
    for (const o of outcomes) {
      const n = perBatch.get(o.batch) ?? 0;
      if (o.status === 200) expect(n, `accepted batch ${o.batch}`).toBe(BATCH);
      else expect([0, BATCH], `refused batch ${o.batch}`).toContain(n);
    }
  }, 180_000);
});

if (unavailable) console.log(`[pg-restart] skipped: ${unavailable}`);
