// The fan-out baseline (a child of bench/fanout.mts): a minimal plain `ws` server that tails the
// same Redis Stream as Sluice (the log's cached tail, "<prefix>firehose:<epoch>") and broadcasts
// what arrived as one JSON array frame every 10 ms, serialised once for all clients: the fair
// ceiling for the gateway, which batches the same way (a frame per event would only compare
// batching with no batching).
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { WebSocketServer } from 'ws';

const redis = new Redis(process.env.REDIS_URL!);
const BATCH_MS = 10;
/** The newest log epoch's stream: Sluice creates it with its first event (the warm-up). */
async function streamKey(): Promise<string> {
  for (;;) {
    // Only "<prefix>firehose:<digits>": other keys share the "firehose:" start (stream counts, …).
    const keys = (await redis.keys(`${process.env.REDIS_PREFIX}firehose:*`)).filter((k) => /:firehose:\d+$/.test(k));
    if (keys.length) return keys.sort((a, b) => Number(a.split(':').at(-1)) - Number(b.split(':').at(-1))).at(-1)!;
    await new Promise((r) => setTimeout(r, 200));
  }
}
const key = await streamKey();
const server = createServer();
const wss = new WebSocketServer({ server });
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

let position = '$';
let running = true;
let pending: string[] = [];
let frames = 0;
let flushMs = 0;
/**
 * While measuring: how long after its submission each event reached the log's Redis stream (the
 * ingest, its transaction and the relay, on the node under test); the rest of a client's latency
 * is fan-out. Measured in every phase, the gateway's too (this process then has no clients).
 */
let arrivals = null as number[] | null;
const flusher = setInterval(() => {
  if (!pending.length) return;
  const frame = `[${pending.join(',')}]`; // serialised once, sent to all
  pending = [];
  frames += 1;
  const started = performance.now();
  for (const client of wss.clients) client.send(frame);
  flushMs += performance.now() - started;
}, BATCH_MS);
const info = (await redis.xinfo('STREAM', key).catch(() => null)) as unknown[] | null;
if (info) position = String(info[info.indexOf('last-generated-id') + 1]);
void (async () => {
  while (running) {
    const reply = (await redis.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', key, position)) as [string, [string, string[]][]][] | null;
    if (!reply) continue;
    const now = Date.now();
    for (const [id, fields] of reply[0][1]) {
      position = id;
      if (arrivals) {
        const reportedAt = /"reportedAt":\s*"([^"]+)"/.exec(fields[1])?.[1];
        if (reportedAt) arrivals.push(now - Date.parse(reportedAt));
      }
      pending.push(`${fields[1].slice(0, -1)},"cursor":"${id}"}`);
    }
  }
})();

const cpuStart = process.cpuUsage();
// The same event-loop delay reading as the Sluice node's /metrics (prom-client): reset at every reading.
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const started = Date.now();
process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
process.on('message', async (message: { type: string; gc?: boolean }) => {
  if (message.type === 'usage') {
    // The same treatment as the Sluice node's readings: a full GC first when asked (--expose-gc),
    // then 200 ms before reading.
    if (message.gc) {
      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((r) => setTimeout(r, 200));
    }
    const cpu = process.cpuUsage(cpuStart);
    process.send?.({ type: 'usage', cpuSeconds: (cpu.user + cpu.system) / 1e6, rss: process.memoryUsage().rss, loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6, frames, flushMs, at: Date.now() - started });
    loop.reset();
  }
  if (message.type === 'arrivals-start') arrivals = [];
  if (message.type === 'arrivals') {
    const sorted = (arrivals ?? []).sort((a, b) => a - b);
    const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    process.send?.({ type: 'arrivals', p50: pick(0.5), p99: pick(0.99) });
    arrivals = null;
  }
  if (message.type === 'stop') {
    running = false;
    clearInterval(flusher);
    wss.close();
    server.close();
    redis.disconnect();
    process.exit(0);
  }
});
