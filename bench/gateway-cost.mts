// The gateway's per-connection cost, in one process (no Next.js, no build needed): an in-process
// gateway node (the same createRealtimeServer + createFirehoseGateway as server/node.ts) on the
// configured database and engines, N socket.io clients in a child process (bench/fanout-clients.mts).
// Prints the retained heap per connection (after a full GC: run with --expose-gc), the RSS growth,
// the connection set-up time, the handshake's CPU profile (top functions by self time, with
// --profile) and the heap's growth by constructor between two snapshots (with --snapshot).
//   node --expose-gc --import tsx bench/gateway-cost.mts [--clients 1000] [--profile] [--snapshot]
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { getHeapSnapshot } from 'node:v8';
import { parseArgs } from 'node:util';
import { parseConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import type { Runtime } from '../lib/runtime';
import { createApiToken } from '../lib/tokens';
import { createFirehoseGateway } from '../server/gateway/firehose-gateway';
import { createRealtimeServer } from '../server/gateway/realtime-server';
import { createTestDatabase, createTestEngines, deleteRedisPrefix } from '../tests/helpers/test-env';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    profile: { type: 'boolean', default: false },
    snapshot: { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.log('(run with node --expose-gc for the retained heap; RSS only otherwise)');

async function settle() {
  for (let i = 0; i < 3; i++) {
    await new Promise((r) => setTimeout(r, 200));
    gc?.();
  }
}

/** Self size and count per constructor name, from a heap snapshot. */
async function heapByConstructor(): Promise<Map<string, { count: number; size: number }>> {
  const chunks: string[] = [];
  for await (const chunk of getHeapSnapshot()) chunks.push(String(chunk));
  const snapshot = JSON.parse(chunks.join('')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snapshot.snapshot.meta.node_fields;
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const types = snapshot.snapshot.meta.node_types[0];
  const result = new Map<string, { count: number; size: number }>();
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + typeAt]];
    const name = type === 'object' || type === 'closure' ? `${type === 'closure' ? 'closure ' : ''}${snapshot.strings[snapshot.nodes[i + nameAt]]}` : `(${type})`;
    const entry = result.get(name) ?? { count: 0, size: 0 };
    entry.count += 1;
    entry.size += snapshot.nodes[i + sizeAt];
    result.set(name, entry);
  }
  return result;
}

const t = await createTestDatabase();
const engines = createTestEngines(t.db);
const config = parseConfig({ ...process.env, ...t.env, ...engines.env, LOG_LEVEL: 'warn', STREAMS_PER_TOKEN: '0' });
const runtime: Runtime = { config, roles: ['gateway'], db: t.db, engines, logger: createLogger('warn'), startedAt: new Date(), version: 'bench' };
const user = await t.db.prisma.user.create({ data: { email: 'bench@example.com', passwordHash: 'x', plan: 'firehose' } });
const { token } = await createApiToken(t.db.prisma, { userId: user.id, name: 'bench', scopes: ['stream'] });

const server = createServer();
const realtime = await createRealtimeServer(server, runtime);
const gateway = await createFirehoseGateway(realtime.io, runtime, {});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// One warm-up connection: compiles the handshake's code paths and opens the pools.
{
  const warm = fork(path.join(import.meta.dirname, 'fanout-clients.mts'), [], {
    env: { ...process.env, MODE: 'sluice', TARGET_URL: url, TOKEN: token, CLIENTS: '50' },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => warm.once('message', resolve));
  warm.send({ type: 'exit' });
  await new Promise((resolve) => warm.once('exit', resolve));
}
await settle();
const before = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
const heapBefore = values.snapshot ? await heapByConstructor() : null;
if (values.snapshot) await settle();
const beforeSnapshotHeap = process.memoryUsage().heapUsed;

const session = new Session();
if (values.profile) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  await session.post('Profiler.start');
}
const cpuStart = process.cpuUsage();
const child = fork(path.join(import.meta.dirname, 'fanout-clients.mts'), [], {
  env: { ...process.env, MODE: 'sluice', TARGET_URL: url, TOKEN: token, CLIENTS: String(clients) },
  execArgv: ['--import', 'tsx'],
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const { setupMs } = await new Promise<{ setupMs: number }>((resolve) => child.once('message', resolve as (m: unknown) => void));
const cpu = process.cpuUsage(cpuStart);
if (values.profile) {
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  writeFileSync('/tmp/gateway-handshakes.cpuprofile', JSON.stringify(profile));
  const self = new Map<string, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const id of profile.samples ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  let total = 0;
  for (const [id, count] of counts) {
    const node = byId.get(id)!;
    const frame = node.callFrame;
    const where = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*?\/(lib|server)\//, '$1/')}:${frame.lineNumber + 1}`;
    self.set(where, (self.get(where) ?? 0) + count);
    total += count;
  }
  console.log(`handshake CPU profile (self time, ${total} samples; /tmp/gateway-handshakes.cpuprofile):`);
  for (const [where, count] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`  ${((count / total) * 100).toFixed(1).padStart(5)} %  ${where}`);
}
await new Promise((r) => setTimeout(r, 2000));
await settle();
const after = { heap: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
const sockets = realtime.io.of('/firehose').sockets.size;
console.log(`${sockets} of ${clients} clients connected in ${(setupMs / 1000).toFixed(2)} s (waves of 50); gateway process CPU ${((cpu.user + cpu.system) / 1000 / clients).toFixed(2)} ms per handshake`);
console.log(`retained heap per connection: ${((after.heap - beforeSnapshotHeap) / sockets / 1024).toFixed(2)} KB; RSS growth per connection: ${((after.rss - before.rss) / sockets / 1024).toFixed(2)} KB`);
if (heapBefore) {
  const heapAfter = await heapByConstructor();
  const growth = [...heapAfter]
    .map(([name, a]) => ({ name, count: a.count - (heapBefore.get(name)?.count ?? 0), size: a.size - (heapBefore.get(name)?.size ?? 0) }))
    .filter((g) => g.size > 0)
    .sort((a, b) => b.size - a.size);
  console.log('heap growth by constructor (per connection):');
  for (const g of growth.slice(0, 30)) console.log(`  ${(g.size / sockets).toFixed(0).padStart(6)} B  ${(g.count / sockets).toFixed(2).padStart(6)} ×  ${g.name}`);
}

child.send({ type: 'exit' });
await new Promise((resolve) => child.once('exit', resolve));
await gateway.close();
await realtime.close();
await deleteRedisPrefix(engines);
await engines.close();
await t.drop().catch(() => undefined);
process.exit(0);
