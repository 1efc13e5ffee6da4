// Fan-out benchmark clients (a child of bench/fanout.mts): N clients in one process — socket.io
// (MODE=sluice), Server-Sent Events from GET /api/v1/stream (MODE=sse) or plain ws (MODE=baseline).
// Counts events per measurement window and samples latency = receipt time − the event's reportedAt
// (stamped by the publisher when it submits the indicator).
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import WebSocket from 'ws';

const mode = process.env.MODE ?? 'sluice';
const url = process.env.TARGET_URL!;
const clients = Number(process.env.CLIENTS ?? 1000);
const token = process.env.TOKEN ?? '';

let received = 0;
let samples: number[] = [];
let max = 0;
let counting = false;
let frames = 0;

function onEvents(events: { reportedAt: string }[]) {
  if (!counting) return;
  received += events.length;
  frames += 1;
  // One sample per 16 frames keeps the sampler cheap at hundreds of thousands of frames/s.
  if ((frames & 15) === 0 || events.length > 1) {
    const latency = Date.now() - Date.parse(events[events.length - 1].reportedAt);
    samples.push(latency);
    if (latency > max) max = latency;
  }
}

/** Reads an SSE body, handing each chunk's events to onEvents as one batch (like a socket.io frame). */
async function readSse(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    const blocks = buffer.split('\n\n');
    buffer = blocks.pop() ?? '';
    const batch: { reportedAt: string }[] = [];
    for (const block of blocks) {
      for (const line of block.split('\n')) if (line.startsWith('data: ')) batch.push(JSON.parse(line.slice(6)));
    }
    if (batch.length) onEvents(batch);
  }
}

const sockets: (Socket | WebSocket)[] = [];
const streams: AbortController[] = [];
let disconnects = 0;
const connectStarted = Date.now();
for (let i = 0; i < clients; i += 50) {
  // Connect in waves so the server is not hit by 1,000 handshakes at once.
  await Promise.all(
    Array.from({ length: Math.min(50, clients - i) }, () => {
      if (mode === 'sse') {
        const controller = new AbortController();
        streams.push(controller);
        return fetch(`${url}/api/v1/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' }, signal: controller.signal }).then((res) => {
          if (!res.ok || !res.body) throw new Error(`SSE: HTTP ${res.status}`);
          readSse(res.body).then(
            () => (disconnects += 1),
            () => (disconnects += controller.signal.aborted ? 0 : 1),
          );
        });
      }
      if (mode === 'baseline') {
        const ws = new WebSocket(url);
        ws.on('message', (data) => onEvents(JSON.parse(String(data)) as { reportedAt: string }[]));
        ws.on('close', () => (disconnects += 1));
        sockets.push(ws);
        return new Promise((resolve, reject) => {
          ws.once('open', resolve);
          ws.once('error', reject);
        });
      }
      const socket = io(`${url}/firehose`, { transports: ['websocket'], auth: { token }, reconnection: false });
      socket.on('indicators', onEvents);
      socket.on('disconnect', () => (disconnects += 1));
      sockets.push(socket);
      return new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(undefined));
        socket.once('connect_error', reject);
      });
    }),
  );
}

process.send?.({ type: 'connected', setupMs: Date.now() - connectStarted });
// This process's own load during a phase: a saturated client process adds its queueing to every
// latency it measures (socket.io's client decodes each frame per socket, like ws + JSON.parse).
const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let cpuAtStart = process.cpuUsage();
let startedAt = Date.now();
process.on('message', (message: { type: string }) => {
  if (message.type === 'start') {
    counting = true;
    loop.reset();
    cpuAtStart = process.cpuUsage();
    startedAt = Date.now();
    received = 0;
    samples = [];
    max = 0;
  }
  if (message.type === 'stop') {
    counting = false;
    samples.sort((a, b) => a - b);
    const pick = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
    const cpu = process.cpuUsage(cpuAtStart);
    const cpuPercent = Math.round(((cpu.user + cpu.system) / 1000 / (Date.now() - startedAt)) * 100);
    process.send?.({ type: 'stats', received, p50: pick(0.5), p99: pick(0.99), max, disconnects, cpuPercent, loopP99Ms: Math.round(loop.percentile(99) / 1e6) });
  }
  if (message.type === 'exit') {
    for (const s of sockets) {
      if (s instanceof WebSocket) s.terminate();
      else s.disconnect();
    }
    for (const c of streams) c.abort();
    setTimeout(() => process.exit(0), 100);
  }
});
