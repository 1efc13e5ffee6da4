// Fault injection: Redis is killed (its memory lost) during a steady ingest, stays down for a while,
// and comes back empty. A real Sluice node runs on a private redis-server started by this test (the
// shared one on 6379 is never touched), on the configured database (embedded or PostgreSQL).
// Every accepted public event must reach a streaming client and a client resuming from a cursor
// taken before the outage, exactly once per id, in log order. Figures are printed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../helpers/wait';
import type { FirehoseEvent } from '@/lib/events';
import { startServer, type ServerProcess } from '../helpers/server-process';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../helpers/test-env';
import { createAccount } from '../helpers/fixtures';
import { freePort } from '../helpers/free-port';

const REDIS_BIN = '/usr/bin/redis-server';
const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 10_000);
const hasRedis = existsSync(REDIS_BIN);
if (!hasRedis) console.log(`skipped: the Redis restart fault test (no ${REDIS_BIN} on this machine)`);


/** A private redis-server without persistence: killing it loses everything, as in production. */
async function startRedis(port: number): Promise<ChildProcess> {
  const child = spawn(REDIS_BIN, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return child;
    if (Date.now() > deadline) throw new Error(`redis-server did not start on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stopProcess = (child: ChildProcess | null, signal: NodeJS.Signals) =>
  new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });

let t: TestDatabase;
let redis: ChildProcess | null = null;
let redisPort = 0;
let node: ServerProcess | null = null;
let token = '';
const sockets: Socket[] = [];

beforeAll(async () => {
  if (!hasRedis) return;
  t = await createTestDatabase();
  ({ token } = await createAccount(t.db.prisma, { scopes: ['stream', 'submit', 'read'], feeds: [{ slug: 'steady', name: 'Steady', tlp: 'CLEAR' }] }));
  if (!usingPostgres) await t.db.close(); // the node owns the embedded database
  redisPort = await freePort();
  redis = await startRedis(redisPort);
  node = await startServer({ ...t.env, REDIS_URL: `redis://127.0.0.1:${redisPort}`, REDIS_PREFIX: 'fault:', PUBLIC_STREAM_DELAY_SECONDS: '0' }, { timeoutMs: 120_000 });
}, 180_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await node?.stop();
  await stopProcess(redis, 'SIGKILL');
  if (t) await (usingPostgres ? t.drop() : t.drop().catch(() => undefined));
});

/** A client that resumes after its last cursor on every reconnection, as the README shows. */
function streamingClient(url: string, since: string | null) {
  const state = { cursor: since, events: [] as FirehoseEvent[], reconnects: 0 };
  const socket = io(`${url}/firehose`, {
    transports: ['websocket'],
    reconnectionDelay: 200,
    reconnectionDelayMax: 1000,
    auth: (cb) => cb({ token, since: state.cursor ?? undefined }),
  });
  socket.on('connect', () => (state.reconnects += 1));
  socket.on('indicators', (events: FirehoseEvent[]) => {
    state.events.push(...events);
    state.cursor = events[events.length - 1].cursor;
  });
  sockets.push(socket);
  return state;
}

describe.skipIf(!hasRedis)('Redis killed during ingest and restarted empty', () => {
  it('answers 2xx throughout and delivers every accepted public event, to live and resuming clients', async () => {
    const url = node!.url;
    const live = streamingClient(url, null);
    const statuses = new Map<number, number>();
    const accepted: string[] = [];
    let stop = false;
    let round = 0;
    const submitLoop = (async () => {
      while (!stop) {
        const items = Array.from({ length: 10 }, (_, i) => `fault-${round}-${i}.example-outage.net`);
        round += 1;
        const started = Date.now();
        const res = await fetch(`${url}/api/v1/feeds/steady/indicators`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ indicators: items }),
          signal: AbortSignal.timeout(15_000),
        }).catch(() => null);
        const status = res?.status ?? 0;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (res?.ok) {
          const body = (await res.json()) as { results: { status: string; eventId?: string }[] };
          for (const r of body.results) if (r.eventId) accepted.push(r.eventId);
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - started))));
      }
    })();

    // Steady state first, and a cursor to resume from later.
    await until(() => live.events.length >= 20, 30_000, 'the first events');
    const resumeFrom = live.events[9].cursor;
    const beforeOutage = live.events.slice(0, 10).map((e) => e.id);

    await stopProcess(redis, 'SIGKILL');
    const killedAt = Date.now();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    redis = await startRedis(redisPort); // empty: no persistence
    const backAt = Date.now();
    await new Promise((r) => setTimeout(r, 2000));
    stop = true;
    await submitLoop;
    const submissionsEndedAt = Date.now();

    const want = new Set(accepted);
    const received = () => new Set(live.events.map((e) => e.id).filter((id) => want.has(id)));
    await until(() => received().size === want.size, 60_000, `all ${want.size} accepted events on the live client`).catch(() => undefined);
    const deliveredAt = Date.now();

    // A client resuming from before the outage, after Redis came back empty.
    const resumed = streamingClient(url, resumeFrom);
    const expectedAfterCursor = accepted.filter((id) => !beforeOutage.includes(id));
    await until(() => new Set(resumed.events.map((e) => e.id)).size >= expectedAfterCursor.length, 60_000, 'the resuming client').catch(() => undefined);

    const liveIds = live.events.map((e) => e.id).filter((id) => want.has(id));
    const resumedIds = resumed.events.map((e) => e.id);
    console.log(
      `[fault] redis down ${Math.round((backAt - killedAt) / 1000)} s; submissions: ${[...statuses].map(([s, n]) => `${s}×${n}`).join(', ')}; ` +
        `accepted public events ${want.size}; live client got ${new Set(liveIds).size} (${liveIds.length - new Set(liveIds).size} duplicates, ` +
        `${live.reconnects - 1} reconnects), the last ${((deliveredAt - submissionsEndedAt) / 1000).toFixed(1)} s after the last submission ` +
        `(Redis back for ${((submissionsEndedAt - backAt) / 1000).toFixed(1)} s by then); ` +
        `resuming client got ${new Set(resumedIds).size} of ${expectedAfterCursor.length}`,
    );

    const trouble = node!.logs.filter((line) => /"level":(40|50|60)|ending stream|replay/.test(line) && !/connection error|MaxRetriesPerRequest/.test(line));
    if (trouble.length) console.log(`[fault] server warnings and errors:\n${trouble.slice(-20).join('\n')}`);
    expect([...statuses.keys()].filter((s) => s < 200 || s >= 300)).toEqual([]);
    expect(accepted.length).toBeGreaterThan(50);
    expect(new Set(liveIds)).toEqual(want);
    // In log order: cursors only grow, for both clients.
    for (const events of [live.events, resumed.events]) {
      const positions = events.map((e) => BigInt(e.cursor.split('-')[1]));
      for (let i = 1; i < positions.length; i += 1) expect(positions[i] > positions[i - 1]).toBe(true);
    }
    expect(resumedIds.filter((id) => want.has(id)).sort()).toEqual([...expectedAfterCursor].sort());
  }, 180_000);
});
