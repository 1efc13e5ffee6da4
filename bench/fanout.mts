// Fan-out benchmark: a real Sluice node (web + gateway) and N socket.io clients in another process
// (then N Server-Sent Events clients of GET /api/v1/stream, on the same node);
// a publisher feeds the ingest API at a swept rate. For each rate: delivered events/s, loss,
// latency p50/p99/max from submission to receipt, server CPU and RSS; plus memory per idle
// connection and connection set-up time. In the same run, the baseline: a plain `ws` server tailing
// the same Redis Stream and broadcasting a pre-serialised JSON array every 10 ms (batched like the
// gateway). Needs a build (npm run build).
//   node --import tsx bench/fanout.mts [--clients 1000] [--rates 100,200,500,1000] [--seconds 8] [--rounds 1]
// --rounds N alternates the targets N times (sluice, baseline, sluice, …) and judges the targets on
// the median p99 of each: one phase's p99 rests on its worst ~2 % of events, so one GC pause or a
// neighbour's burst in one phase can move it by 2×.
// Uses DATABASE_URL (a scratch database is created and dropped) and REDIS_URL; the baseline needs Redis.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { createApiToken } from '../lib/tokens';
import { startServer } from '../tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix } from '../tests/helpers/test-env';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rates: { type: 'string', default: '100,200,500,1000' },
    seconds: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '1' },
    // Which targets to run (all by default): sluice, sse, baseline.
    targets: { type: 'string', default: 'sluice,sse,baseline' },
    // The streams from a node of their own (ROLES=gateway) beside a web+worker node that takes the
    // ingest, as a deployment at scale runs them; by default one node runs every role.
    'gateway-node': { type: 'boolean', default: false },
  },
});
const clients = Number(values.clients);
const rates = values.rates.split(',').map(Number);
const seconds = Number(values.seconds);
const rounds = Math.max(1, Number(values.rounds));
const targets = new Set(values.targets.split(','));
// BENCH_PROFILE=<dir>: the node writes a V8 CPU profile there (bench/cpuprofile-summary.mts reads it;
// the bench prints each phase's window in seconds after the node started).
const PROFILE_DIR = process.env.BENCH_PROFILE;
const here = import.meta.dirname;

function message<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`child exited (${code}) before sending ${type}`));
    const onMessage = (m: { type: string }) => {
      if (m.type === type) {
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(m as T);
      }
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
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
const serverStartedAt = Date.now();
// --inspect on a free port: the bench asks the node for a full GC before each memory reading
// (HeapProfiler.collectGarbage), as the baseline's process runs gc() before its own: idle memory
// per connection is then what connections keep, not their handshakes' garbage not yet collected.
const nodeArgs = ['--inspect=127.0.0.1:0', ...(PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [])];
const nodeEnv = { ...t.env, ...engines.env, PUBLIC_STREAM_DELAY_SECONDS: '0', STREAMS_PER_TOKEN: '0' };
const gatewayApart = values['gateway-node'];
// `server` takes the ingest; `streams` serves the clients (the same node unless --gateway-node).
const server = await startServer(gatewayApart ? { ...nodeEnv, ROLES: 'web,worker' } : nodeEnv, { nodeArgs });
const streams = gatewayApart ? await startServer({ ...nodeEnv, ROLES: 'gateway' }, { nodeArgs }) : server;

/** Runs a full garbage collection in a node started with --inspect (its inspector's address is in its log). */
async function collectGarbage(node: typeof server): Promise<void> {
  const address = node.logs.map((line) => /Debugger listening on (ws:\/\/\S+)/.exec(line)?.[1]).find(Boolean);
  if (!address) return;
  const session = new WebSocket(address);
  await new Promise<void>((resolve, reject) => {
    session.once('open', () => session.send(JSON.stringify({ id: 1, method: 'HeapProfiler.collectGarbage' })));
    session.on('message', (data) => {
      if ((JSON.parse(String(data)) as { id?: number }).id === 1) resolve();
    });
    session.once('error', reject);
  });
  session.close();
}

interface Usage {
  cpuSeconds: number;
  rss: number;
  /** Event-loop delay since the previous reading (p99 and max, ms): how long a ready callback waited. */
  loopP99Ms: number;
  loopMaxMs: number;
  /** Frames written so far (each to every client of its room): socket writes = frames × clients. */
  frames: number;
  /** Time spent in flushes so far (ms; each writes one frame to every client in one synchronous run). */
  flushMs: number;
}

async function nodeUsage(node: typeof server, options: { gc?: boolean } = {}): Promise<Usage> {
  if (options.gc) {
    await collectGarbage(node);
    await new Promise((r) => setTimeout(r, 200));
  }
  // prom-client's event-loop histogram (monitorEventLoopDelay) is reset at every scrape.
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const metric = (name: string) => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    cpuSeconds: metric('process_cpu_seconds_total'),
    rss: metric('process_resident_memory_bytes'),
    loopP99Ms: metric('nodejs_eventloop_lag_p99_seconds') * 1000,
    loopMaxMs: metric('nodejs_eventloop_lag_max_seconds') * 1000,
    frames: metric('sluice_gateway_frames_total'),
    flushMs: metric('sluice_gateway_flush_seconds_sum') * 1000,
  };
}

const serverUsage = (options?: { gc?: boolean }) => nodeUsage(streams, options);

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
  round: number;
  rate: number;
  deliveredPerSec: number;
  lossPercent: number;
  p50ms: number;
  p99ms: number;
  maxMs: number;
  serverCpuPercent: number;
  serverRssMb: number;
  /** The server's event-loop delay during the phase (p99 / max, ms). */
  serverLoopMs: string;
  /** When the events reached the log's Redis stream, after submission (p50 / p99, ms): ingest + relay; the rest is fan-out. */
  inLogMs: string;
  /** Batch frames per second (one per flush, written to every client). */
  framesPerSec: number;
  /** Mean time one flush held the event loop (ms): frame written to every client. */
  msPerFlush: number;
  /** The clients' process: CPU % of one core and event-loop delay p99 (ms) during the phase. */
  clientCpuPercent: number;
  clientLoopP99Ms: number;
}

const TARGETS = { sluice: 'sluice gateway', sse: 'sluice SSE', baseline: 'baseline ws' } as const;

async function sweep(mode: keyof typeof TARGETS, round: number, targetUrl: string, usage: (options?: { gc?: boolean }) => Promise<Usage>) {
  const before = await usage({ gc: true });
  const client = fork(path.join(here, 'fanout-clients.mts'), [], {
    env: { ...process.env, MODE: mode, TARGET_URL: targetUrl, TOKEN: token, CLIENTS: String(clients) },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const { setupMs } = await message<{ setupMs: number }>(client, 'connected');
  await new Promise((r) => setTimeout(r, 3000));
  const idle = await usage();
  // Growth as the node is (garbage included, as before) and after a full GC on both sides.
  const rawPerConnectionKb = (idle.rss - before.rss) / clients / 1024;
  const perConnectionKb = ((await usage({ gc: true })).rss - before.rss) / clients / 1024;
  const rows: Row[] = [];
  for (const rate of rates) {
    client.send({ type: 'start' });
    baseline?.send({ type: 'arrivals-start' });
    const u0 = await usage();
    // The node that takes the ingest, when it is not the one measured: its own share of the machine.
    const ingest0 = gatewayApart || mode === 'baseline' ? await nodeUsage(server) : null;
    const started = Date.now();
    const accepted = await publish(rate, seconds * 1000);
    await new Promise((r) => setTimeout(r, 1500)); // let the tail arrive
    const stats = message<{ received: number; p50: number; p99: number; max: number; disconnects: number; cpuPercent: number; loopP99Ms: number }>(client, 'stats');
    client.send({ type: 'stop' });
    const s = await stats;
    const arrivals = baseline ? message<{ p50: number; p99: number }>(baseline, 'arrivals') : null;
    baseline?.send({ type: 'arrivals' });
    const inLog = arrivals ? await arrivals : null;
    const u1 = await usage();
    const elapsed = (Date.now() - started) / 1000;
    if (ingest0) {
      const ingest1 = await nodeUsage(server);
      console.log(`${mode} at ${rate}/s: the ${gatewayApart ? 'web+worker ' : ''}node taking the ingest (with relay and workers${mode === 'baseline' && !gatewayApart ? ', its streams idle' : ''}) used ${Math.round(((ingest1.cpuSeconds - ingest0.cpuSeconds) / elapsed) * 100)} % CPU, event loop p99/max ${Math.round(ingest1.loopP99Ms)}/${Math.round(ingest1.loopMaxMs)} ms`);
    }
    if (PROFILE_DIR && mode !== 'baseline') console.log(`${mode} at ${rate}/s: profile window ${((started - serverStartedAt) / 1000).toFixed(0)}-${((Date.now() - serverStartedAt) / 1000).toFixed(0)} s`);
    const expected = accepted * clients;
    rows.push({
      target: TARGETS[mode],
      round,
      rate,
      deliveredPerSec: Math.round(s.received / (seconds)),
      lossPercent: Number((((expected - Math.min(s.received, expected)) / expected) * 100).toFixed(2)),
      p50ms: s.p50,
      p99ms: s.p99,
      maxMs: s.max,
      serverCpuPercent: Math.round(((u1.cpuSeconds - u0.cpuSeconds) / elapsed) * 100),
      serverRssMb: Math.round(u1.rss / 1048576),
      serverLoopMs: `${Math.round(u1.loopP99Ms)} / ${Math.round(u1.loopMaxMs)}`,
      inLogMs: inLog ? `${inLog.p50} / ${inLog.p99}` : 'n/a',
      framesPerSec: Math.round((u1.frames - u0.frames) / elapsed),
      // Socket.io frames only (an SSE phase's flushes write to HTTP responses, counted as no frame).
      msPerFlush: u1.frames > u0.frames ? Number(((u1.flushMs - u0.flushMs) / (u1.frames - u0.frames)).toFixed(1)) : NaN,
      clientCpuPercent: s.cpuPercent,
      clientLoopP99Ms: s.loopP99Ms,
    });
    if (s.disconnects) console.log(`${mode} at ${rate}/s: ${s.disconnects} clients disconnected`);
  }
  client.send({ type: 'exit' });
  return { rows, perConnectionKb, rawPerConnectionKb, setupMs };
}

// Warm-up: the first requests compile routes and fill caches; keep that out of the figures.
await publish(rates[0], 3000);

// The baseline process starts now (the warm-up made the log's stream) and tails the log during
// every phase: without clients it only notes when each event reached Redis (see `arrivals`).
const baseline =
  engines.kind === 'redis'
    ? fork(path.join(here, 'fanout-baseline.mts'), [], {
        env: { ...process.env, REDIS_PREFIX: engines.prefix },
        execArgv: ['--expose-gc', '--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      })
    : null;
const baselinePort = baseline ? (await message<{ port: number }>(baseline, 'ready')).port : null;
const baselineUsage = async (options: { gc?: boolean } = {}) => {
  const reply = message<Usage>(baseline!, 'usage');
  baseline!.send({ type: 'usage', gc: options.gc ?? false });
  return reply;
};

console.log(`fan-out: ${clients} clients, rates ${rates.join(', ')} events/s, ${seconds} s each, ${rounds} round(s); database ${t.db.kind}, log ${engines.kind}`);
const results: Row[] = [];
type Sweep = Awaited<ReturnType<typeof sweep>>;
const sweeps: Record<keyof typeof TARGETS, Sweep[]> = { sluice: [], sse: [], baseline: [] };
for (let round = 1; round <= rounds; round++) {
  if (targets.has('sluice')) sweeps.sluice.push(await sweep('sluice', round, streams.url, serverUsage));
  if (targets.has('sse')) sweeps.sse.push(await sweep('sse', round, streams.url, serverUsage));
  if (baseline && baselinePort !== null) sweeps.baseline.push(await sweep('baseline', round, `ws://127.0.0.1:${baselinePort}`, baselineUsage));
}
if (!baseline && targets.has('baseline')) console.log('(no REDIS_URL: the baseline, which tails the Redis Stream, is skipped)');
for (const mode of ['sluice', 'sse', 'baseline'] as const) for (const s of sweeps[mode]) results.push(...s.rows);
baseline?.send({ type: 'stop' });
console.table(results);
/** The median of the rounds' figures (NaN when the target did not run). */
const median = (values: number[]) => {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const ofSweeps = (mode: keyof typeof TARGETS, figure: (s: Sweep) => number) => median(sweeps[mode].map(figure));
const kb = (n: number) => (Number.isNaN(n) ? 'n/a' : `${n.toFixed(1)} KB`);
const seconds1 = (ms: number) => (Number.isNaN(ms) ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const roundsNote = rounds > 1 ? ` (median of ${rounds} rounds)` : '';
const sluicePerConnection = ofSweeps('sluice', (s) => s.perConnectionKb);
const sluiceSetupMs = ofSweeps('sluice', (s) => s.setupMs);
console.log(
  `idle memory per connection (RSS growth after a full GC on both sides)${roundsNote}: sluice ${kb(sluicePerConnection)}, SSE ${kb(ofSweeps('sse', (s) => s.perConnectionKb))}, baseline ${kb(ofSweeps('baseline', (s) => s.perConnectionKb))}` +
    ` (without the GC, garbage included: sluice ${kb(ofSweeps('sluice', (s) => s.rawPerConnectionKb))}, SSE ${kb(ofSweeps('sse', (s) => s.rawPerConnectionKb))}, baseline ${kb(ofSweeps('baseline', (s) => s.rawPerConnectionKb))})`,
);
console.log(`connection set-up for ${clients} clients (waves of 50)${roundsNote}: sluice ${seconds1(sluiceSetupMs)}, SSE ${seconds1(ofSweeps('sse', (s) => s.setupMs))}, baseline ${seconds1(ofSweeps('baseline', (s) => s.setupMs))}`);
const best = (target: string) => Math.max(0, ...results.filter((r) => r.target === target && r.lossPercent === 0).map((r) => r.rate * clients));
const sluiceBest = best('sluice gateway');
const baselineBest = best('baseline ws');
const sseBest = best('sluice SSE');
console.log(`highest rate with zero loss (deliveries/s): sluice ${sluiceBest}, SSE ${sseBest}, baseline ${baselineBest || 'n/a'}${baselineBest ? `, ratio ${(sluiceBest / baselineBest).toFixed(2)}` : ''}`);

// The issue's targets (#13), for the socket.io gateway against the batched baseline of this run.
console.log(`\ntargets (#13), ${gatewayApart ? 'gateway on its own node (ROLES=gateway; ingest, relay and workers on a web,worker node)' : 'one node with every role (web, gateway, relay, workers)'}:`);
const verdict = (met: boolean) => (met ? 'MET' : 'NOT MET');
const p99s = (target: string, rate: number) => results.filter((r) => r.target === target && r.rate === rate).map((r) => r.p99ms);
for (const rate of rates) {
  const g = p99s(TARGETS.sluice, rate);
  const b = p99s(TARGETS.baseline, rate);
  if (!g.length || !b.length) continue;
  const [gateway, base] = [median(g), median(b)];
  const ratio = gateway / base;
  const withinRatio = ratio <= 1.5;
  const absolute = rate <= 10 ? ` and < 100 ms: ${gateway} ms` : '';
  const met = withinRatio && (rate > 10 || gateway < 100);
  const perRound = rounds > 1 ? ` [rounds: ${g.map((p, i) => `${p}/${b[i]}`).join(', ')} ms]` : '';
  console.log(`  p99 at ${rate} events/s${roundsNote}: ${gateway} ms vs ${base} ms = ${ratio.toFixed(2)}x (within 1.5x${absolute}): ${verdict(met)}${perRound}`);
}
if (!Number.isNaN(sluicePerConnection)) console.log(`  idle memory per connection <= 15 KB: ${kb(sluicePerConnection)}: ${verdict(sluicePerConnection <= 15)}`);
if (!Number.isNaN(sluiceSetupMs)) console.log(`  set-up for ${clients} clients < 3 s: ${seconds1(sluiceSetupMs)}: ${verdict(sluiceSetupMs < 3000)}`);

if (streams !== server) await streams.stop();
await server.stop();
await deleteRedisPrefix(engines);
await engines.close();
await t.drop().catch(() => undefined);
process.exit(0);
