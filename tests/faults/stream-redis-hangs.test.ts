// Stream handshakes while Redis accepts connections but does not answer (CLIENT PAUSE: what a stuck
// or overloaded Redis, or a half-open connection, looks like to the node). The handshake counts the
// token's streams in Redis: it used to wait as long as Redis did, so an HTTP stream got no answer
// at all and a socket.io client no connect. Both must be refused promptly with `unavailable`
// (HTTP 503 with Retry-After, connect_error) and stream again once Redis answers — no restart.
// Uses a redis-server of its own (tests/faults/private-redis.ts), never the shared one.
import { Redis } from 'ioredis';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '@/tests/helpers/fixtures';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, uniqueName, usingPostgres, type TestDatabase } from '@/tests/helpers/test-env';
import { startPrivateRedis, type PrivateRedis } from './private-redis';

const PAUSE_MS = 12_000;
/** Well beyond the handshake's bound on Redis (2 s), well below the pause: an answer, not a hang. */
const ANSWER_WITHIN_MS = 8000;

describe('stream handshakes while Redis hangs', () => {
  let redis: PrivateRedis;
  let t: TestDatabase;
  let server: ServerProcess;
  let token: string;
  let admin: Redis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    t = await createTestDatabase();
    token = (await createAccount(t.db.prisma, { feeds: [{ slug: 'steady' }] })).token;
    if (!usingPostgres) await t.db.close(); // the node owns the embedded database
    server = await startServer({ ...t.env, REDIS_URL: redis.url, REDIS_PREFIX: `${uniqueName('hang')}:` });
    admin = new Redis(redis.url);
  }, 180_000);
  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
    await redis?.kill();
    await t?.drop().catch(() => undefined);
  });

  const httpStream = () =>
    fetch(`${server.url}/api/v1/stream?format=ndjson`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) }).then(
      async (res) => {
        const answer = { status: res.status, retryAfter: res.headers.get('retry-after'), body: res.status === 200 ? '' : await res.text() };
        if (res.status === 200) await res.body?.cancel();
        return answer;
      },
      (error: unknown) => ({ status: 0, retryAfter: null, body: String(error) }),
    );

  /** Connects, then waits for one event (submitted once connected); the refusal's code otherwise. */
  const socketStream = (submit: () => Promise<void>) =>
    new Promise<{ connected: boolean; code: string | null; events: number }>((resolve) => {
      const socket = io(`${server.url}/firehose`, { transports: ['websocket'], auth: { token }, reconnection: false, timeout: ANSWER_WITHIN_MS });
      const done = (result: { connected: boolean; code: string | null; events: number }) => {
        socket.disconnect();
        resolve(result);
      };
      const timer = setTimeout(() => done({ connected: socket.connected, code: 'no answer', events: 0 }), ANSWER_WITHIN_MS);
      socket.on('connect', () => void submit());
      socket.on('indicators', (events: unknown[]) => {
        clearTimeout(timer);
        done({ connected: true, code: null, events: events.length });
      });
      socket.on('connect_error', (error: Error & { data?: { code?: string } }) => {
        clearTimeout(timer);
        done({ connected: false, code: error.data?.code ?? error.message, events: 0 });
      });
    });

  let n = 0;
  const submit = async () => {
    const res = await fetch(`${server.url}/api/v1/feeds/steady/indicators`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: `hang-${(n += 1)}.example-test.net\n`,
    });
    await res.arrayBuffer();
  };

  it('refuses with unavailable while Redis hangs, and streams again when it answers', async () => {
    expect((await httpStream()).status).toBe(200);
    expect(await socketStream(submit)).toMatchObject({ connected: true, events: 1 });

    await admin.call('CLIENT', 'PAUSE', String(PAUSE_MS), 'ALL');
    const pausedAt = Date.now();
    const [http, socket] = await Promise.all([httpStream(), socketStream(async () => undefined)]);
    console.log(`[stream-redis-hangs] while paused: HTTP ${http.status} ${http.body.slice(0, 120)}; socket.io ${JSON.stringify(socket)}`);
    expect(Date.now() - pausedAt, 'the checks ran while Redis was still paused').toBeLessThan(PAUSE_MS);
    expect(http.status, http.body).toBe(503);
    expect(Number(http.retryAfter)).toBeGreaterThan(0);
    expect(JSON.parse(http.body)).toMatchObject({ error: { code: 'unavailable' } });
    expect(socket).toMatchObject({ connected: false, code: 'unavailable' });

    // The pause ends by itself; the node recovers without a restart.
    await new Promise((r) => setTimeout(r, Math.max(0, pausedAt + PAUSE_MS + 500 - Date.now())));
    await expect.poll(async () => (await httpStream()).status, { timeout: 20_000, interval: 500 }).toBe(200);
    expect(await socketStream(submit)).toMatchObject({ connected: true, events: 1 });
  }, 120_000);
});
