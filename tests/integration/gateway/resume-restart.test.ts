// Resume across a restart of Sluice itself: the firehose log lives in the database (embedded or
// PostgreSQL), so a cursor taken before the restart resumes exactly after it — nothing skipped,
// nothing repeated — and a cursor from another log is refused with cursor_expired.
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../../helpers/wait';
import type { FirehoseEvent } from '@/lib/events';
import { startServer, type ServerProcess } from '../../helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingPostgres, type TestDatabase } from '../../helpers/test-env';
import { createAccount } from '../../helpers/fixtures';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let env: Record<string, string>;
let node: ServerProcess | null = null;
let token = '';
const sockets: Socket[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  ({ token } = await createAccount(t.db.prisma, { scopes: ['stream', 'submit', 'read'], feeds: [{ slug: 'restart', name: 'Restart', tlp: 'CLEAR' }] }));
  if (!usingPostgres) await t.db.close(); // the node owns the embedded database
  env = { ...t.env, ...engines.env, PUBLIC_STREAM_DELAY_SECONDS: '0' };
}, 120_000);

afterAll(async () => {
  for (const socket of sockets) socket.disconnect();
  await node?.stop();
  await deleteRedisPrefix(engines);
  await engines.close();
  if (usingPostgres) await t.drop();
  else await t.drop().catch(() => undefined);
});

async function submit(url: string, values: string[]): Promise<string[]> {
  const res = await fetch(`${url}/api/v1/feeds/restart/indicators`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ indicators: values }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { results: { eventId?: string }[] };
  return body.results.map((r) => r.eventId!).filter(Boolean);
}

function stream(url: string, since?: string) {
  const state = { events: [] as FirehoseEvent[], error: null as null | { code: string; oldest?: string | null } };
  const socket = io(`${url}/firehose`, { transports: ['websocket'], reconnection: false, auth: { token, since } });
  // Only this test's feed: workers may publish derived events into system feeds.
  socket.on('indicators', (events: FirehoseEvent[]) => state.events.push(...events.filter((e) => e.feed.slug === 'restart')));
  socket.on('connect_error', (error) => (state.error = (error as Error & { data: { code: string; oldest?: string | null } }).data));
  sockets.push(socket);
  return { state, socket };
}

describe(`resume across a restart (${usingPostgres ? 'PostgreSQL' : 'embedded'})`, () => {
  it('a cursor from before the restart resumes right after it; a foreign cursor is cursor_expired', async () => {
    node = await startServer(env, { timeoutMs: 120_000 });
    const first = stream(node.url);
    await new Promise<void>((resolve) => first.socket.once('connect', () => resolve()));
    const before = await submit(node.url, Array.from({ length: 5 }, (_, i) => `before-${i}.example-restart.net`));
    await until(() => first.state.events.length >= 5, 15_000, 'the first five events');
    const cursor = first.state.events[4].cursor;
    expect(first.state.events.slice(0, 5).map((e) => e.id)).toEqual(before);
    const missed = await submit(node.url, Array.from({ length: 5 }, (_, i) => `missed-${i}.example-restart.net`));
    first.socket.disconnect();
    expect(await node.stop()).toBe(0);

    node = await startServer(env, { timeoutMs: 120_000 });
    const after = await submit(node.url, Array.from({ length: 5 }, (_, i) => `after-${i}.example-restart.net`));
    const resumed = stream(node.url, cursor);
    await until(() => resumed.state.events.length >= 10 || resumed.state.error !== null, 15_000, 'the resumed events');
    await new Promise((r) => setTimeout(r, 300)); // nothing more may arrive
    expect(resumed.state.error).toBeNull();
    expect(resumed.state.events.map((e) => e.id)).toEqual([...missed, ...after]);

    // A cursor of an older log (another database, or the time-based cursors of earlier versions).
    const foreign = stream(node.url, '1700000000000-5');
    await until(() => foreign.state.error !== null, 15_000, 'the refusal');
    expect(foreign.state.error).toMatchObject({ code: 'cursor_expired' });
  }, 300_000);
});
