// A client that stops reading is cut once what waits for it — in engine.io, in ws and in the
// kernel's send queue — passes the limit (4 MB by default), and it can still learn why: the
// `stream:ended` notice comes right behind what was already on its way, with the cursor of the
// last event it will read, and the websocket closes with code 4008 "slow_consumer".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SLOW_CONSUMER_CLOSE_CODE, type StreamEnded } from '@/lib/realtime/protocol';
import type { FirehoseEvent } from '@/lib/events';
import { collect, connected, startGatewayHarness, until, type GatewayHarness } from '../../helpers/gateway-harness';

const LIMIT = 4 * 1024 * 1024;

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness({ maxBufferedBytes: LIMIT });
});
afterAll(async () => h?.close());

describe('slow consumers', () => {
  it('are cut within the limit, counting the kernel, and can read why', { timeout: 120_000 }, async () => {
    const { token } = await h.makeToken();
    const port = new URL(h.url).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // engine.io open packet
    ws.send(`40/firehose,${JSON.stringify({ token })}`);
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // namespace connect ack
    const tcp = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    tcp.pause();
    const messages: string[] = [];
    let bytes = 0;
    ws.on('message', (data) => {
      const text = data.toString();
      bytes += text.length;
      messages.push(text);
    });
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));

    const healthy = h.client({ token });
    const sink = collect(healthy);
    await connected(healthy);
    const sockets = () => h.io.of('/firehose').sockets.size;
    const before = sockets();
    const big = 'x'.repeat(4000);
    let sent = 0;
    for (let round = 0; round < 100 && sockets() === before; round += 1) {
      sent += (await h.append(100, () => ({ feed: { slug: 'bulk', owner: big } }))).length;
      await until(() => sink.events.length >= sent, 20_000, 'the healthy client to keep up');
    }
    await until(() => sockets() === before - 1, 10_000, 'the stalled client to be cut');
    const sentBytes = sent * 4100;

    // The stalled client reads again: its backlog, then the notice, then the close frame.
    tcp.resume();
    const close = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
    expect(close).toEqual({ code: SLOW_CONSUMER_CLOSE_CODE, reason: 'slow_consumer' });
    const frames = messages.filter((m) => m.startsWith('42/firehose,["indicators"')).map((m) => JSON.parse(m.slice('42/firehose,'.length))[1] as FirehoseEvent[]);
    const noticeAt = messages.findIndex((m) => m.startsWith('42/firehose,["stream:ended"'));
    expect(noticeAt).toBeGreaterThan(-1);
    const notice = JSON.parse(messages[noticeAt].slice('42/firehose,'.length))[1] as StreamEnded;
    expect(notice.reason).toBe('slow_consumer');
    // Resume point: the last event this client actually got, so resuming skips nothing.
    const got = frames.flat();
    expect(got.length).toBeGreaterThan(0);
    expect(notice.cursor).toBe(got[got.length - 1].cursor);
    expect(messages.slice(noticeAt + 1).every((m) => !m.startsWith('42'))).toBe(true);
    // What waited for it was bounded by the limit (plus a frame and a sampling interval), not the
    // limit plus the kernel's ~4 MB on top.
    console.log(`slow consumer: cut after ${(sentBytes / 1e6).toFixed(1)} MB sent; it had ${(bytes / 1e6).toFixed(2)} MB waiting (limit ${LIMIT / 1e6} MB)`);
    expect(bytes).toBeLessThan(LIMIT + 1.5 * 1024 * 1024);
    // The healthy client was not held up.
    expect(sink.events).toHaveLength(sent);
    healthy.disconnect();
    ws.terminate();
  });
});
