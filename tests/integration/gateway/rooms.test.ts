// Filter rooms are released by every way a stream ends: after many short connections with
// distinct filters (live, replaying, re-subscribed, ended by the server), the dispatcher holds none.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishControl } from '@/lib/control';
import { collect, connected, startGatewayHarness, until, type FirehoseClient, type GatewayHarness } from '../../helpers/gateway-harness';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness({}, { STREAMS_PER_TOKEN: '0' });
});
afterAll(async () => h?.close());

const rooms = () => h.gateway.dispatcher.roomCount;

describe('filter rooms', () => {
  it('are back to 0 after 200 connections with distinct filters disconnect', { timeout: 120_000 }, async () => {
    const { token } = await h.makeToken();
    const [first] = await h.append(1);
    expect(rooms()).toBe(0);
    const N = 200;
    const sockets: FirehoseClient[] = [];
    for (let batch = 0; batch < N; batch += 50) {
      const made = Array.from({ length: 50 }, (_, j) => {
        const i = batch + j;
        // A quarter resume (replay first, then join), the rest go live at once.
        return h.client({ token, filters: { tags: [`leak-${i}`] }, ...(i % 4 === 0 ? { since: first.cursor } : {}) });
      });
      await Promise.all(made.map(connected));
      sockets.push(...made);
    }
    await until(() => rooms() === N, 20_000, `${N} rooms (have ${rooms()})`);
    // Some move to another distinct filter: the old room is released, the new one held.
    for (const socket of sockets.slice(0, 20)) {
      const ack = await socket.emitWithAck('subscribe', { tags: [`moved-${socket.id}`] });
      expect('data' in ack).toBe(true);
    }
    expect(rooms()).toBe(N);
    for (const socket of sockets) socket.disconnect();
    await until(() => rooms() === 0, 20_000, `rooms released (still ${rooms()})`);
    expect(h.io.of('/firehose').sockets.size).toBe(0);
  });

  it('are released when the server ends the stream, and shared rooms only when their last socket leaves', async () => {
    const a = await h.makeToken();
    const b = await h.makeToken();
    const sa = h.client({ token: a.token, filters: { types: ['domain'] } });
    const sb = h.client({ token: b.token, filters: { types: ['domain'] } });
    const sc = h.client({ token: b.token, filters: { tags: ['only-b'] } });
    await Promise.all([sa, sb, sc].map(connected));
    expect(rooms()).toBe(2);
    const ended = new Promise((resolve) => sb.once('stream:ended', resolve));
    await h.runtime.db.prisma.apiToken.update({ where: { id: b.tokenId }, data: { revokedAt: new Date() } });
    await publishControl(h.runtime.engines, { type: 'token_revoked', tokenId: b.tokenId, userId: b.userId });
    await ended;
    await until(() => rooms() === 1, 10_000, 'the revoked streams’ rooms released');
    // The shared room still delivers to the socket that stayed.
    const sink = collect(sa);
    await h.append(2, () => ({ indicator: { type: 'domain', value: 'shared.example.net', tags: [], confidence: 50, firstSeen: '', lastSeen: '', count: 1 } }));
    await until(() => sink.events.length >= 2, 10_000, 'events in the shared room');
    sa.disconnect();
    await until(() => rooms() === 0, 10_000, 'all rooms released');
  });
});
