// The firehose end to end, as deployed: real Sluice processes, the REST ingest API, the relay,
// the log and the gateway. With DATABASE_URL and REDIS_URL: two nodes (web+gateway, gateway only)
// sharing PostgreSQL and Redis. On the embedded engines: the same story on one node.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io } from 'socket.io-client';
import type { FirehoseEvent } from '@/lib/events';
import { collect, connected, connectError, until, type FirehoseClient } from '../../helpers/gateway-harness';
import { startServer, type ServerProcess } from '../../helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingPostgres, usingRedis, type TestDatabase } from '../../helpers/test-env';
import { createAccount } from '../../helpers/fixtures';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const multiNode = usingPostgres && usingRedis;

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let env: Record<string, string>;
let web: ServerProcess;
let second: ServerProcess | null = null;
const sockets: FirehoseClient[] = [];
const people = {
  alice: { email: 'alice@example.com', token: '', prefix: '' },
  bob: { email: 'bob@example.com', token: '', prefix: '' },
  free: { email: 'free@example.com', token: '', prefix: '' },
};

function client(url: string, auth: Record<string, unknown>): FirehoseClient {
  const socket: FirehoseClient = io(`${url}/firehose`, { transports: ['websocket'], auth, reconnection: false });
  sockets.push(socket);
  return socket;
}

async function submit(token: string, feed: string, values: string[]) {
  const res = await fetch(`${web.url}/api/v1/feeds/${feed}/indicators`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
    body: values.join('\n'),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { accepted: number; results: { eventId?: string }[] };
  expect(body.accepted).toBe(values.length);
  return body.results.map((r) => r.eventId).filter((id): id is string => Boolean(id));
}

function admin(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/sluice.mjs', 'admin', ...args], { cwd: ROOT, env: { ...process.env, ...env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  // Accounts first, written directly while no server owns the (possibly embedded) database.
  const { prisma } = t.db;
  for (const [name, person] of Object.entries(people)) {
    const account = await createAccount(prisma, {
      email: person.email,
      plan: name === 'free' ? 'free' : 'firehose',
      scopes: ['stream', 'submit', 'read'],
      tokenName: 'cli',
      feeds: [
        { slug: 'public', name: 'Public', tlp: 'CLEAR' },
        { slug: 'private', name: 'Private', tlp: 'AMBER' },
      ],
    });
    person.token = account.token;
    person.prefix = account.tokenPrefix;
  }
  if (!usingPostgres) await t.db.close();
  env = { ...t.env, ...engines.env, PUBLIC_STREAM_DELAY_SECONDS: '0' };
  web = await startServer({ ...env, ROLES: 'all' });
  if (multiNode) second = await startServer({ ...env, ROLES: 'gateway' });
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await second?.stop();
  await web?.stop();
  await deleteRedisPrefix(engines);
  await engines.close();
  if (usingPostgres) await t.drop();
  else await t.drop().catch(() => undefined);
});

describe(`streaming across ${multiNode ? 'two nodes (PostgreSQL + Redis)' : 'one embedded node'}`, () => {
  it('delivers every public event to clients on every node exactly once, in one order; private sightings reach nobody', async () => {
    const gatewayB = second?.url ?? web.url;
    const a = client(web.url, { token: people.alice.token });
    const b = client(gatewayB, { token: people.bob.token });
    const sa = collect(a);
    const sb = collect(b);
    await Promise.all([connected(a), connected(b)]);

    const ids: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      ids.push(...(await submit(people.alice.token, 'public', Array.from({ length: 40 }, (_, i) => `198.51.${round}.${i + 1}`.replace('198.51', '45.83'))) ));
      await submit(people.bob.token, 'private', [`secret-${round}.example-private.net`]);
      ids.push(...(await submit(people.bob.token, 'public', [`evil-${round}.example-public.net`])));
    }
    // Workers may publish derived events (e.g. a hot network) too: look at the submitted feed's.
    const submitted = (events: FirehoseEvent[]) => events.filter((e) => e.feed.slug === 'public' && (e.kind === 'new' || e.kind === 'sighting'));
    await until(() => submitted(sa.events).length >= ids.length && submitted(sb.events).length >= ids.length, 15_000, 'all public events on both nodes');
    await new Promise((r) => setTimeout(r, 300));
    const seenA = submitted(sa.events).map((e) => e.id);
    const seenB = submitted(sb.events).map((e) => e.id);
    expect(new Set(seenA).size).toBe(seenA.length);
    expect(seenA.sort()).toEqual([...ids].sort());
    // One order: the log's, identical on both nodes, with increasing cursors.
    expect(sb.events.map((e) => e.cursor)).toEqual(sa.events.map((e) => e.cursor));
    expect(seenB.length).toBe(ids.length);
    const values = [...sa.events, ...sb.events].map((e) => e.indicator.value);
    expect(values.some((v) => v.includes('example-private'))).toBe(false);
    expect([...sa.events, ...sb.events].some((e) => e.feed.slug === 'private')).toBe(false);
    const sorted = [...sa.events.map((e) => e.cursor)];
    const { compareCursors } = await import('@/lib/engines/log/types');
    expect([...sorted].sort(compareCursors)).toEqual(sorted);
    a.disconnect();
    b.disconnect();
  });

  it('resumes from the last cursor with no gap after the node it was on goes away', async () => {
    const nodeB = second;
    const b = client(nodeB?.url ?? web.url, { token: people.bob.token });
    const sink = collect(b);
    await connected(b);
    const first = await submit(people.alice.token, 'public', ['evil-resume-1.sluice-test.net', 'evil-resume-2.sluice-test.net']);
    const mine = (events: FirehoseEvent[]) => events.filter((e) => e.feed.slug === 'public');
    await until(() => mine(sink.events).length >= 2, 10_000, 'first events');
    const lastCursor = sink.events[sink.events.length - 1].cursor;
    if (nodeB) {
      await nodeB.stop('SIGKILL'); // the node dies without a goodbye
      second = null;
    } else {
      b.disconnect();
    }
    // Events keep arriving while the client is away.
    const missed = await submit(people.alice.token, 'public', ['evil-resume-3.sluice-test.net', 'evil-resume-4.sluice-test.net', 'evil-resume-5.sluice-test.net']);
    const resumed = client(web.url, { token: people.bob.token, since: lastCursor });
    const rs = collect(resumed);
    await connected(resumed);
    const live = await submit(people.alice.token, 'public', ['evil-resume-6.sluice-test.net']);
    await until(() => mine(rs.events).length >= missed.length + live.length, 10_000, 'replayed + live events');
    await new Promise((r) => setTimeout(r, 200));
    expect(mine(sink.events).map((e) => e.id)).toEqual(first);
    expect(mine(rs.events).map((e) => e.id)).toEqual([...missed, ...live]);
    resumed.disconnect();
  });

  it('refuses a Free token with plan_required, and lets the same token in once Firehose is on', async () => {
    const refused = await connectError(client(web.url, { token: people.free.token }));
    expect(refused.code).toBe('plan_required');
    const result = await admin(['user', 'plan', '--email', people.free.email, '--plan', 'firehose']);
    expect(result.code, result.stderr).toBe(0);
    const socket = client(web.url, { token: people.free.token });
    await connected(socket);
    socket.disconnect();
  });

  it('the CLI streams events as JSON lines and exits non-zero on a bad token', async () => {
    const child = spawn(process.execPath, ['bin/sluice.mjs', 'stream', '--url', web.url, '--token', people.alice.token, '--limit', '3', '--types', 'domain'], {
      cwd: ROOT,
      env: { ...process.env },
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // Listened for from the start: the CLI may get its three events and exit before the submission's
    // answer reaches this test. Bounded, so a hang says what the CLI printed.
    const exited = new Promise<number | null | 'still running'>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve('still running');
      }, 30_000);
      // 'close', not 'exit': by then its output has been read to the end.
      child.on('close', (exitCode) => {
        clearTimeout(timer);
        resolve(exitCode);
      });
    });
    await until(() => stderr.includes('streaming from'), 15_000, 'the CLI to connect');
    await submit(people.alice.token, 'public', ['45.83.200.1', 'cli-1.sluice-test.net', 'cli-2.sluice-test.net', 'cli-3.sluice-test.net']);
    const code = await exited;
    expect(code, `stdout: ${lines.join('\n')}\nstderr: ${stderr}`).toBe(0);
    const events = lines.map((l) => JSON.parse(l) as FirehoseEvent);
    expect(events.map((e) => e.indicator.value)).toEqual(['cli-1.sluice-test.net', 'cli-2.sluice-test.net', 'cli-3.sluice-test.net']);

    const bad = spawn(process.execPath, ['bin/sluice.mjs', 'stream', '--url', web.url, '--token', 'slc_nope'], { cwd: ROOT });
    let badErr = '';
    bad.stderr.on('data', (d) => (badErr += d));
    const badCode = await new Promise<number | null>((resolve) => bad.on('close', resolve));
    expect(badCode).toBe(3);
    expect(badErr).toMatch(/invalid_token/);
  });

  it('revoking a token ends its streams on every node within a second', async () => {
    const a = client(web.url, { token: people.bob.token });
    const nodes = [a];
    if (multiNode) {
      // A fresh second gateway node (the earlier one was killed).
      second = await startServer({ ...env, ROLES: 'gateway' });
      nodes.push(client(second.url, { token: people.bob.token }));
    }
    await Promise.all(nodes.map(connected));
    const ended = nodes.map((s) => new Promise<{ reason: string; at: number }>((resolve) => s.once('stream:ended', (info) => resolve({ reason: info.reason, at: Date.now() }))));
    const result = await admin(['token', 'revoke', '--prefix', people.bob.prefix]);
    // The CLI process's start-up (seconds on a loaded machine) is excluded: measured from when the
    // revoke command returned (a stream may even end before the process has exited).
    const returned = Date.now();
    expect(result.code, result.stderr).toBe(0);
    const endings = await Promise.all(ended);
    for (const ending of endings) expect(ending.reason).toBe('token_revoked');
    expect(Math.max(...endings.map((e) => e.at)) - returned).toBeLessThan(1_000);
    expect((await connectError(client(web.url, { token: people.bob.token }))).code).toBe('invalid_token');
  });
});
