// Concurrent streams per token: the plan's limit holds over every gateway node, a refusal says
// so with too_many_streams, a closed stream frees its slot, and a node that dies frees its slots
// within the slot TTL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config';
import { PLANS } from '@/lib/plans';
import { createStreamSlots, streamLimit } from '@/lib/realtime/stream-slots';
import { connected, connectError, startGatewayHarness, until, type GatewayHarness, type GatewayNode } from '../../helpers/gateway-harness';
import { usingRedis } from '../../helpers/test-env';

let h: GatewayHarness;
let second: GatewayNode;
beforeAll(async () => {
  h = await startGatewayHarness();
  second = await h.addNode();
});
afterAll(async () => h?.close());

describe('streams per token', () => {
  it(`refuses the Firehose plan's ${PLANS.firehose.streamsPerToken + 1}th stream of one token, on any node, with too_many_streams`, async () => {
    const limit = PLANS.firehose.streamsPerToken;
    expect(limit).toBe(10);
    const { token } = await h.makeToken();
    const other = await h.makeToken();
    const open = Array.from({ length: limit }, (_, i) => (i % 2 ? second.client({ token }) : h.client({ token })));
    await Promise.all(open.map(connected));
    for (const node of [h, second]) {
      const refused = await connectError(node.client({ token }));
      expect(refused.code).toBe('too_many_streams');
      expect(refused.message).toMatch(/10 open streams/);
      expect((refused as { limit?: number }).limit).toBe(10);
    }
    // Another token of the same user is not affected.
    const otherSocket = h.client({ token: other.token });
    await connected(otherSocket);
    // Closing one frees its slot (released on disconnect, shortly after).
    open[1].disconnect();
    await until(() => second.io.of('/firehose').sockets.size === Math.floor(limit / 2) - 1, 10_000, 'the server to see the close');
    let admitted = false;
    const deadline = Date.now() + 10_000;
    while (!admitted && Date.now() < deadline) {
      const again = h.client({ token });
      admitted = await connected(again).then(
        () => true,
        async () => {
          await new Promise((r) => setTimeout(r, 100));
          return false;
        },
      );
    }
    expect(admitted).toBe(true);
    expect(await connectError(second.client({ token }))).toMatchObject({ code: 'too_many_streams' });
    for (const s of open) s.disconnect();
    otherSocket.disconnect();
  });

  it('a refused handshake holds no slot', async () => {
    const { token, tokenId } = await h.makeToken();
    for (let i = 0; i < 15; i += 1) expect((await connectError(h.client({ token, since: 'bad' }))).code).toBe('invalid_cursor');
    expect(await createStreamSlots(h.runtime.engines).count(tokenId)).toBe(0);
  });

  it('STREAMS_PER_TOKEN overrides the plan; 0 means unlimited', () => {
    expect(parseConfig({ STREAMS_PER_TOKEN: '3' }).STREAMS_PER_TOKEN).toBe(3);
    expect(parseConfig({}).STREAMS_PER_TOKEN).toBeUndefined();
    expect(() => parseConfig({ STREAMS_PER_TOKEN: '-1' })).toThrow(/STREAMS_PER_TOKEN/);
    expect(streamLimit(10, undefined)).toBe(10);
    expect(streamLimit(10, 3)).toBe(3);
    expect(streamLimit(10, 0)).toBe(Infinity);
  });
});

describe(`stream slots (${usingRedis ? 'Redis' : 'in memory'})`, () => {
  it('admit exactly the limit when many handshakes race', async () => {
    const slots = createStreamSlots(h.runtime.engines);
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => slots.acquire('race-token', `m${i}`, 7)));
    expect(results.filter(Boolean)).toHaveLength(7);
    expect(await slots.count('race-token')).toBe(7);
    // Re-acquiring a held slot is not a second slot.
    expect(await slots.acquire('race-token', 'm0', 7)).toBe(results[0]);
  });

  it('lapse when their node stops refreshing them (a node that died), and live on while refreshed', async () => {
    const ttl = 1500;
    const slots = createStreamSlots(h.runtime.engines, ttl);
    const refreshed = [{ tokenId: 'ttl-a', member: 'a1' }];
    expect(await slots.acquire('ttl-a', 'a1', 1)).toBe(true);
    expect(await slots.acquire('ttl-b', 'b1', 1)).toBe(true);
    expect(await slots.acquire('ttl-b', 'b2', 1)).toBe(false);
    const started = Date.now();
    while (Date.now() - started < ttl * 3) {
      await slots.refresh(refreshed);
      await new Promise((r) => setTimeout(r, ttl / 4));
    }
    // a1 was refreshed throughout: still held. b1's node "died" (never refreshed): lapsed.
    expect(await slots.acquire('ttl-a', 'a2', 1)).toBe(false);
    expect(await slots.count('ttl-b')).toBe(0);
    expect(await slots.acquire('ttl-b', 'b2', 1)).toBe(true);
    await slots.release('ttl-b', 'b2');
    expect(await slots.count('ttl-b')).toBe(0);
  });
});
