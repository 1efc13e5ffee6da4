// The fan-out baseline (a child of bench/fanout.mts): a minimal plain `ws` server that tails the
// same Redis Stream as Sluice (the log's cached tail, "<prefix>firehose:<epoch>") and broadcasts
// what arrived as one JSON array frame every 10 ms, serialised once for all clients: the fair
// ceiling for the gateway, which batches the same way (a frame per event would only compare
// batching with no batching).
import { createServer } from 'node:http';
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
const flusher = setInterval(() => {
  if (!pending.length) return;
  const frame = `[${pending.join(',')}]`; // serialised once, sent to all
  pending = [];
  for (const client of wss.clients) client.send(frame);
}, BATCH_MS);
const info = (await redis.xinfo('STREAM', key).catch(() => null)) as unknown[] | null;
if (info) position = String(info[info.indexOf('last-generated-id') + 1]);
void (async () => {
  while (running) {
    const reply = (await redis.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', key, position)) as [string, [string, string[]][]][] | null;
    if (!reply) continue;
    for (const [id, fields] of reply[0][1]) {
      position = id;
      pending.push(`${fields[1].slice(0, -1)},"cursor":"${id}"}`);
    }
  }
})();

const cpuStart = process.cpuUsage();
const started = Date.now();
process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
process.on('message', (message: { type: string }) => {
  if (message.type === 'usage') {
    const cpu = process.cpuUsage(cpuStart);
    process.send?.({ type: 'usage', cpuSeconds: (cpu.user + cpu.system) / 1e6, rss: process.memoryUsage().rss, at: Date.now() - started });
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
