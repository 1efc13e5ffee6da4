// Federation benchmark: two real Sluice instances, A and B (separate processes and databases), with
// B's peer link subscribed to A (docs/federation.md). Events are submitted on A's ingest API; for
// each one we time its receipt by a socket.io firehose client of A (the local baseline: the same
// events delivered locally, in the same run) and by a socket.io client of B (end to end across the
// link: A's gateway → B's link → B's ingest, outbox, relay, log → B's gateway). For each paced rate,
// then for a burst sent as fast as A accepts it: events/s delivered and p50/p99/max latency from
// submission to receipt, on each side. Needs a build (npm run build).
//   node --import tsx bench/federation.mts [--rates 50,200] [--seconds 10] [--burst 2000]
// Embedded engines by default; with DATABASE_URL (scratch databases are created and dropped) and
// REDIS_URL, PostgreSQL + Redis.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import type { FirehoseEvent } from '../lib/events';
import { createInstance, type Instance } from '../tests/integration/federation/instances';

const { values: args } = parseArgs({
  options: {
    rates: { type: 'string', default: '50,200' },
    seconds: { type: 'string', default: '10' },
    burst: { type: 'string', default: '2000' },
  },
});
const rates = args.rates.split(',').map(Number);
const seconds = Number(args.seconds);
const burst = Number(args.burst);

const submitted = new Map<string, number>();
const received = { a: new Map<string, number>(), b: new Map<string, number>() };

function watch(instance: Instance, into: Map<string, number>, feed: string): Socket {
  const socket = io(`${instance.url}/firehose`, { transports: ['websocket'], auth: { token: instance.token } });
  socket.on('indicators', (events: FirehoseEvent[]) => {
    const now = performance.now();
    for (const e of events) if (e.feed.slug === feed && !into.has(e.indicator.value)) into.set(e.indicator.value, now);
  });
  return socket;
}

let sequence = 0;
const run = Date.now().toString(36);
async function submit(a: Instance, count: number): Promise<void> {
  const values = Array.from({ length: count }, () => `e${sequence++}.${run}.fed-bench.net`);
  const at = performance.now();
  for (const v of values) submitted.set(v, at);
  const result = await a.submit('pub', values);
  if (result.accepted !== count) throw new Error(`A accepted ${result.accepted} of ${count}`);
}

async function waitFor(values: string[], timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (values.every((v) => received.a.has(v) && received.b.has(v))) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const pct = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN);
function side(values: string[], got: Map<string, number>) {
  const latencies = values.filter((v) => got.has(v)).map((v) => got.get(v)! - submitted.get(v)!).sort((x, y) => x - y);
  const first = Math.min(...values.map((v) => submitted.get(v)!));
  const last = Math.max(...values.filter((v) => got.has(v)).map((v) => got.get(v)!));
  return {
    delivered: latencies.length,
    perSecond: latencies.length / ((last - first) / 1000),
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    max: latencies[latencies.length - 1] ?? NaN,
  };
}
const row = (label: string, values: string[], got: Map<string, number>) => {
  const s = side(values, got);
  const ms = (x: number) => `${Math.round(x)} ms`.padStart(8);
  return `  ${label.padEnd(26)} ${String(s.delivered).padStart(6)}/${values.length}  ${s.perSecond.toFixed(0).padStart(6)} events/s   p50 ${ms(s.p50)}  p99 ${ms(s.p99)}  max ${ms(s.max)}`;
};

const [a, b] = await Promise.all([createInstance('a'), createInstance('b')]);
const sockets: Socket[] = [];
try {
  console.log('starting instances A and B (separate processes and databases)…');
  await Promise.all([a.start(), b.start()]);
  const served = await a.admin({ type: 'peer.add', name: 'b', url: b.url });
  await b.admin({ type: 'peer.add', name: 'a', url: a.url, token: served.token! });
  sockets.push(watch(a, received.a, 'pub'), watch(b, received.b, 'peer:a'));
  for (let i = 0; i < 600 && !(await b.admin({ type: 'peer.list' })).lines.some((l) => l.includes('state connected')); i++) await new Promise((r) => setTimeout(r, 200));
  // Warm-up: the first events pay for compilation and connection set-up.
  const warm = sequence;
  await submit(a, 20);
  const warmValues = Array.from({ length: 20 }, (_, i) => `e${warm + i}.${run}.fed-bench.net`);
  await waitFor(warmValues, 120_000);
  if (!warmValues.every((v) => received.b.has(v))) throw new Error('the warm-up events did not reach B within 120 s: is the link connected?');

  const engines = process.env.DATABASE_URL && process.env.REDIS_URL ? 'PostgreSQL + Redis' : 'embedded';
  console.log(
    `\nfederation A → B (${engines}), ${new Date().toISOString().slice(0, 16)}Z, load average ${loadavg()[0].toFixed(1)}; latency = submit on A → receipt by a socket.io client`,
  );
  for (const rate of rates) {
    const before = sequence;
    const perRequest = Math.max(1, Math.round(rate / 10));
    const end = Date.now() + seconds * 1000;
    const inflight: Promise<void>[] = [];
    while (Date.now() < end) {
      const tick = Date.now();
      inflight.push(submit(a, perRequest));
      await new Promise((r) => setTimeout(r, Math.max(0, 100 - (Date.now() - tick))));
    }
    const started = performance.now() - seconds * 1000;
    await Promise.all(inflight);
    const acceptedIn = (performance.now() - started) / 1000;
    const values = Array.from({ length: sequence - before }, (_, i) => `e${before + i}.${run}.fed-bench.net`);
    await waitFor(values, 120_000);
    console.log(`rate ${rate} events/s for ${seconds} s: ${values.length} events in requests of ${perRequest}, all accepted by A after ${acceptedIn.toFixed(1)} s`);
    console.log(row('local on A (baseline)', values, received.a));
    console.log(row('across the link, on B', values, received.b));
  }
  if (burst > 0) {
    const before = sequence;
    const chunks = Math.ceil(burst / 500);
    const started = performance.now();
    for (let i = 0; i < chunks; i += 2) await Promise.all([submit(a, 500), ...(i + 1 < chunks ? [submit(a, 500)] : [])]);
    const acceptedIn = (performance.now() - started) / 1000;
    const values = Array.from({ length: sequence - before }, (_, i) => `e${before + i}.${run}.fed-bench.net`);
    await waitFor(values, 300_000);
    console.log(`burst of ${values.length} events (requests of 500, 2 in flight), accepted by A in ${acceptedIn.toFixed(1)} s:`);
    console.log(row('local on A (baseline)', values, received.a));
    console.log(row('across the link, on B', values, received.b));
  }
} finally {
  for (const s of sockets) s.disconnect();
  await Promise.all([a.dispose(), b.dispose()]);
}
