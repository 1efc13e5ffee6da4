// PostgreSQL that accepts connections but answers nothing (frozen with SIGSTOP: what a hung server or
// a network dropping packets looks like to the node). Requests that need the database used to wait
// for as long as it hung; they must be answered 503 with Retry-After within the configured bounds
// (DATABASE_CONNECT_TIMEOUT_MS, DATABASE_QUERY_TIMEOUT_MS), and the node must serve again by itself
// once the server runs again. Uses a PostgreSQL cluster of its own (tests/faults/private-postgres.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '@/tests/helpers/fixtures';
import type { ServerProcess } from '@/tests/helpers/server-process';
import { startNodeOnPrivatePostgres, type NodeOnPrivatePostgres } from './node-on-private-postgres';
import { privatePostgresUnavailable, type PrivatePostgres } from './private-postgres';

const unavailable = privatePostgresUnavailable();
/** Far beyond the bounds given to the node below (2 s + 3 s), far below "for ever". */
const ANSWER_WITHIN_MS = 20_000;

describe.skipIf(unavailable)('PostgreSQL hangs', () => {
  let node: NodeOnPrivatePostgres;
  let cluster: PrivatePostgres;
  let server: ServerProcess;
  let token: string;

  beforeAll(async () => {
    node = await startNodeOnPrivatePostgres(
      async (db) => void (token = (await createAccount(db.prisma, { feeds: [{ slug: 'steady' }] })).token),
      { DATABASE_CONNECT_TIMEOUT_MS: '2000', DATABASE_QUERY_TIMEOUT_MS: '3000' },
    );
    ({ cluster, server } = node);
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
  });

  let n = 0;
  const requests = (): [string, RequestInit][] => [
    ['/api/v1/indicators?limit=1', {}],
    ['/api/v1/check/45.83.64.1', {}],
    ['/api/v1/feeds', {}],
    ['/api/v1/feeds/steady/indicators', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: `hang-${(n += 1)}.example-test.net\n` }],
    ['/i/domain/hang.example-test.net', {}],
  ];
  const send = ([target, init]: [string, RequestInit]) =>
    fetch(server.url + target, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) }).then(
      async (res) => {
        await res.arrayBuffer();
        return { target, status: res.status, retryAfter: res.headers.get('retry-after') };
      },
      (error: unknown) => ({ target, status: 0, retryAfter: String(error) }),
    );

  it('answers 503 while it hangs (twice the pool size at once), and serves again once it runs', async () => {
    // (the indicator page is the site's 404: that value was never reported)
    const answered = (answers: { status: number }[]) => answers.map((a) => a.status);
    expect(answered(await Promise.all(requests().map(send)))).toEqual([200, 200, 200, 200, 404]);

    await cluster.freeze();
    // More requests at once than the pool has connections: some wait on hung connections, the rest for one.
    const during = await Promise.all(Array.from({ length: 8 }, () => requests().map(send)).flat());
    await cluster.thaw();
    const summary = during.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.status]: (acc[a.status] ?? 0) + 1 }), {});
    console.log(`[pg-hangs] ${during.length} requests while frozen: ${JSON.stringify(summary)}`);
    expect(during.filter((a) => a.status !== 503)).toEqual([]);
    for (const a of during) expect(Number(a.retryAfter), a.target).toBeGreaterThan(0);

    await expect
      .poll(async () => answered(await Promise.all(requests().map(send))), { timeout: 30_000, interval: 500 })
      .toEqual([200, 200, 200, 200, 404]);
  }, 120_000);
});

if (unavailable) console.log(`[pg-hangs] skipped: ${unavailable}`);
