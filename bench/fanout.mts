// Fan-out benchmark: a real Sluice node (web + gateway) and N socket.io clients in another process
// (then N Server-Sent Events clients of GET /api/v1/stream, on the same node);
// a publisher feeds the ingest API at a swept rate. For each rate: delivered events/s, loss,
// latency p50/p99/max from submission to receipt, server CPU and RSS; plus memory per idle
// connection and connection set-up time. In the same run, the baseline: a plain `ws` server tailing
// the same Redis Stream and broadcasting a pre-serialised JSON array every 10 ms (batched like the
// gateway). Needs a build (npm run build).
//   node --import tsx bench/fanout.mts [--clients 1000] [--rates 100,200,500,1000] [--seconds 8]
// Uses DATABASE_URL (a scratch database is created and dropped) and REDIS_URL; the baseline needs Redis.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApiToken } from '../lib/tokens';
import { startServer } from '../tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix } from '../tests/helpers/test-env';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rates: { type: 'string', default: '100,200,500,1000' },
    seconds: { type: 'string', default: '8' },
  },
});
const clients = Number(values.clients);
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const here = import.meta.dirname;

function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', onMessage);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before sending ${type}`)));
  });
}

// --- the system under test ------------------------------------------------------------------
const t = await createTestDatabase();
const engines = createTestEngines();
const user = await t.db.prisma.user.create({ data: { email: 'bench@example.com', passwordHash: 'x', plan: 'firehose' } });
await t.db.prisma.feed.create({ data: { ownerId: user.id, slug: 'bench', name: 'Bench', tlp: 'CLEAR' } });
const { token } = await createApiToken(t.db.prisma, { userId: user.id, name: 'bench', scopes: ['stream', 'submit', 'read'] });
// The publisher posts 20 requests a second, past one token's 600 a minute on a quiet machine: it
// takes turns with tokens of its own (the per-minute limit is per token).
const publishTokens = await Promise.all(
  Array.from({ length: 4 }, (_, i) => createApiToken(t.db.prisma, { userId: user.id, name: `bench-publisher-${i}`, scopes: ['submit'] }).then((created) => created.token)),
);
if (t.db.kind === 'embedded') await t.db.close();
const server = await startServer({ ...t.env, ...engines.env, PUBLIC_STREAM_DELAY_SECONDS: '0', STREAMS_PER_TOKEN: '0' });

async function serverUsage(): Promise<{ cpuSeconds: number; rss: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return { cpuSeconds: metric('process_cpu_seconds_total'), rss: metric('process_resident_memory_bytes') };
}

let sequence = 0;
let requests = 0;
/** Submits `rate` indicators per second for `ms`, in requests every 50 ms. */
async function publish(rate: number, ms: number): Promise<number> {
  const perRequest = Math.max(1, Math.round(rate / 20));
  const end = Date.now() + ms;
  let accepted = 0;
  const inflight = new Set<Promise<void>>();
  while (Date.now() < end) {
    const tickStart = Date.now();
    const lines = Array.from({ length: perRequest }, () => `b${sequence++}.fanout-bench.net`);
    const request = fetch(`${server.url}/api/v1/feeds/bench/indicators`, {
      method: 'POST',
      headers: { authorization: `Bearer ${publishTokens[requests++ % publishTokens.length]}`, 'content-type': 'application/json' },
      body: JSON.stringify({ indicators: lines.map((value) => ({ value, reportedAt: new Date().toISOString() })) }),
    })
      .then(async (res) => {
        const body = (await res.json()) as { accepted?: number; error?: { message: string } };
        if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
        accepted += body.accepted ?? 0;
      })
      .finally(() => inflight.delete(request));
    inflight.add(request);
    await new Promise((r) => setTimeout(r, Math.max(0, 50 - (Date.now() - tickStart))));
  }
  await Promise.all(inflight);
  return accepted;
}

interface Row {
  target: string;
  rate: number;
  deliveredPerSec: number;
  lossPercent: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  serverCpuPercent: number;
  serverRssMb: number;
}

const TARGETS = { sluice: 'sluice gateway', sse: 'sluice SSE', baseline: 'baseline ws' } as const;

async function sweep(mode: keyof typeof TARGETS, targetUrl: string, usage: () => Promise<{ cpuSeconds: number; rss: number }>) {
  const before = await usage();
  const client = fork(path.join(here, 'fanout-clients.mts'), [], {
    env: { ...process.env, MODE: mode, TARGET_URL: targetUrl, TOKEN: token, CLIENTS: String(clients) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { setupMs } = await message<{ setupMs: number }>(client, 'connected');
  await new Promise((r) => setTimeout(r, 3000));
  const idle = await usage();
  const perConnectionKb = (idle.rss - before.rss) / clients / 1024;
  const rows: Row[] = [];
  for (const rate of rates) {
    client.send({ type: 'start' });
    const u0 = await usage();
    const started = Date.now();
    const accepted = await publish(rate, seconds * 1000);
    await new Promise((r) => setTimeout(r, 1500)); // let the tail arrive
    const stats = message<{ received: number; p50: number; p99: number; max: number; disconnects: number }>(client, 'stats');
    client.send({ type: 'stop' });
    const s = await stats;
    const u1 = await usage();
    const elapsed = (Date.now() - started) / 1000;
    const expected = accepted * clients;
    rows.push({
      target: TARGETS[mode],
      rate,
      deliveredPerSec: Math.round(s.received / (seconds)),
      lossPercent: Number((((expected - Math.min(s.received, expected)) / expected) * 100).toFixed(2)),
      p50ms: s.p50,
      p99ms: s.p99,
      maxMs: s.max,
      serverCpuPercent: Math.round(((u1.cpuSeconds - u0.cpuSeconds) / elapsed) * 100),
      serverRssMb: Math.round(u1.rss / 1048576),
    });
    if (s.disconnects) console.log(`${mode} at ${rate}/s: ${s.disconnects} clients disconnected`);
  }
  client.send({ type: 'exit' });
  return { rows, perConnectionKb, setupMs };
}

// Warm-up: the first requests compile routes and fill caches; keep that out of the figures.
await publish(rates[0], 3000);

console.log(`fan-out: ${clients} clients, rates ${rates.join(', ')} events/s, ${seconds} s each; database ${t.db.kind}, log ${engines.kind}`);
const results: Row[] = [];
const sluice = await sweep('sluice', server.url, serverUsage);
results.push(...sluice.rows);
const sse = await sweep('sse', server.url, serverUsage);
results.push(...sse.rows);
let baselinePerConnection: number | null = null;
let baselineSetupMs: number | null = null;
if (engines.kind === 'redis') {
  const baseline = fork(path.join(here, 'fanout-baseline.mts'), [], {
    env: { ...process.env, REDIS_PREFIX: engines.prefix },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { port } = await message<{ port: number }>(baseline, 'ready');
  const baselineUsage = async () => {
    const reply = message<{ cpuSeconds: number; rss: number }>(baseline, 'usage');
    baseline.send({ type: 'usage' });
    return reply;
  };
  const b = await sweep('baseline', `ws://127.0.0.1:${port}`, baselineUsage);
  results.push(...b.rows);
  baselinePerConnection = b.perConnectionKb;
  baselineSetupMs = b.setupMs;
  baseline.send({ type: 'stop' });
} else {
  console.log('(no REDIS_URL: the baseline, which tails the Redis Stream, is skipped)');
}
console.table(results);
console.log(`idle memory per connection: sluice ${sluice.perConnectionKb.toFixed(1)} KB, SSE ${sse.perConnectionKb.toFixed(1)} KB${baselinePerConnection !== null ? `, baseline ${baselinePerConnection.toFixed(1)} KB` : ''}`);
console.log(`connection set-up for ${clients} clients (waves of 50): sluice ${(sluice.setupMs / 1000).toFixed(1)} s, SSE ${(sse.setupMs / 1000).toFixed(1)} s${baselineSetupMs !== null ? `, baseline ${(baselineSetupMs / 1000).toFixed(1)} s` : ''}`);
const best = (target: string) => Math.max(0, ...results.filter((r) => r.target === target && r.lossPercent === 0).map((r) => r.rate * clients));
const sluiceBest = best('sluice gateway');
const baselineBest = best('baseline ws');
const sseBest = best('sluice SSE');
console.log(`highest rate with zero loss (deliveries/s): sluice ${sluiceBest}, SSE ${sseBest}, baseline ${baselineBest || 'n/a'}${baselineBest ? `, ratio ${(sluiceBest / baselineBest).toFixed(2)}` : ''}`);

await server.stop();
await deleteRedisPrefix(engines);
await engines.close();
await t.drop().catch(() => undefined);
process.exit(0);
