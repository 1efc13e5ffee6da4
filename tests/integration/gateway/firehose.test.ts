// The firehose gateway as a client sees it: auth refusals, batched ordered delivery, filters as
// rooms, resume without gap or duplicate, expiry, revocation and plan changes, slow consumers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { publishControl } from '@/lib/control';
import { gatewayMetrics } from '@/server/metrics';
import { collect, connected, connectError, SLOW_CONSUMER_TEST_LIMIT, startGatewayHarness, until, type GatewayHarness } from '../../helpers/gateway-harness';

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness({ maxBufferedBytes: SLOW_CONSUMER_TEST_LIMIT });
});
afterAll(async () => h?.close());

describe('handshake', () => {
  it('refuses a missing, malformed or unknown token with invalid_token', async () => {
    expect((await connectError(h.client({}))).code).toBe('invalid_token');
    expect((await connectError(h.client({ token: 'nope' }))).code).toBe('invalid_token');
    expect((await connectError(h.client({ token: 'slc_' + 'A'.repeat(43) }))).code).toBe('invalid_token');
  });

  it('refuses a token without the stream scope, and a free plan', async () => {
    const noScope = await h.makeToken({ scopes: ['read'] });
    expect((await connectError(h.client({ token: noScope.token }))).code).toBe('scope_required');
    const free = await h.makeToken({ plan: 'free' });
    const refusal = await connectError(h.client({ token: free.token }));
    expect(refusal.code).toBe('plan_required');
    expect(refusal.message).toMatch(/Firehose plan/);
  });

  it('treats a user token with the peer scope that serves no link as an ordinary token: stream and the plan decide', async () => {
    // Peer tokens are the operator's (docs/federation.md); one on an ordinary account is no peer.
    const peerOnly = await h.makeToken({ scopes: ['peer'] });
    expect(await connectError(h.client({ token: peerOnly.token }))).toMatchObject({ code: 'scope_required', message: expect.stringMatching(/peer link/) });
    const free = await h.makeToken({ plan: 'free', scopes: ['stream', 'peer'] });
    expect((await connectError(h.client({ token: free.token }))).code).toBe('plan_required');

    const both = await h.makeToken({ scopes: ['stream', 'peer'] });
    const socket = h.client({ token: both.token });
    const sink = collect(socket);
    await connected(socket);
    // The user's stream, not a link's: kinds that never cross a link arrive too.
    const sent = await h.append(2, (i) => ({ kind: i ? 'new' : 'correlated' }));
    await until(() => sink.events.length >= 2, 5000, 'both events');
    expect(sink.events.map((e) => e.id)).toEqual(sent.map((e) => e.id));
    // And it ends with the plan, as any user's stream does.
    const ended = new Promise<{ reason: string }>((resolve) => socket.once('stream:ended', resolve));
    await h.runtime.db.prisma.user.update({ where: { id: both.userId }, data: { plan: 'free' } });
    await publishControl(h.runtime.engines, { type: 'plan_changed', userId: both.userId, plan: 'free' });
    expect((await ended).reason).toBe('plan_ended');
  });

  it('accepts the token in an Authorization header', async () => {
    const { token } = await h.makeToken();
    const socket = h.client({}, { extraHeaders: { authorization: `Bearer ${token}` } });
    await connected(socket);
    socket.disconnect();
  });

  it('refuses bad filters and bad cursors with a clear code', async () => {
    const { token } = await h.makeToken();
    const bad = await connectError(h.client({ token, filters: { types: ['banana'] } as never }));
    expect(bad.code).toBe('invalid_request');
    expect(bad.message).toMatch(/filters\.types/);
    expect((await connectError(h.client({ token, since: 'yesterday' }))).code).toBe('invalid_cursor');
  });
});

describe('delivery', () => {
  it('delivers every event once, in log order, batched, with cursors', async () => {
    const { token } = await h.makeToken();
    const socket = h.client({ token });
    const sink = collect(socket);
    await connected(socket);
    const sent = await h.append(500);
    await until(() => sink.events.length >= 500, 5000, '500 events');
    expect(sink.events.map((e) => e.id)).toEqual(sent.map((e) => e.id));
    expect(sink.events.map((e) => e.cursor)).toEqual(sent.map((e) => e.cursor));
    expect(sink.frames).toBeLessThan(500); // batched, not one frame per event
    expect(sink.events[0]).toMatchObject({ kind: 'new', indicator: { type: 'ipv4' }, feed: { slug: 'demo' } });
    socket.disconnect();
  });

  it('applies filters at connect and when changed with subscribe', async () => {
    const { token } = await h.makeToken();
    const domains = h.client({ token, filters: { types: ['domain'] } });
    const tagged = h.client({ token, filters: { tags: ['Phishing'], minConfidence: 70 } });
    const d = collect(domains);
    const t = collect(tagged);
    await Promise.all([connected(domains), connected(tagged)]);
    await h.append(30, (i) => ({
      indicator: {
        type: i % 3 === 0 ? 'domain' : 'ipv4',
        value: `v${i}.example.net`,
        tags: i % 2 === 0 ? ['phishing'] : ['botnet'],
        confidence: i % 4 === 0 ? 90 : 50,
        firstSeen: '',
        lastSeen: '',
        count: 1,
      },
    }));
    await until(() => d.events.length >= 10 && t.events.length >= 8, 5000, 'filtered events');
    await new Promise((r) => setTimeout(r, 100));
    expect(d.events).toHaveLength(10);
    expect(d.events.every((e) => e.indicator.type === 'domain')).toBe(true);
    expect(t.events).toHaveLength(8); // i % 4 === 0 → even (phishing) and confidence 90
    expect(t.events.every((e) => e.indicator.tags.includes('phishing') && e.indicator.confidence >= 70)).toBe(true);

    const ack = await domains.emitWithAck('subscribe', { types: ['ipv4'], tags: ['botnet'] });
    expect(ack).toEqual({ data: { filters: { types: ['ipv4'], tags: ['botnet'] } } });
    const bad = await domains.emitWithAck('subscribe', { minConfidence: 500 });
    expect('error' in bad && bad.error.code).toBe('invalid_filters');
    const before = d.events.length;
    await h.append(4, (i) => ({
      indicator: { type: i < 2 ? 'ipv4' : 'domain', value: `x${i}.example.org`, tags: ['botnet'], confidence: 50, firstSeen: '', lastSeen: '', count: 1 },
    }));
    await until(() => d.events.length >= before + 2, 5000, 'events after subscribe');
    await new Promise((r) => setTimeout(r, 100));
    expect(d.events.slice(before).map((e) => e.indicator.type)).toEqual(['ipv4', 'ipv4']);
    domains.disconnect();
    tagged.disconnect();
  });

  it('feeds the public namespace without a token, never with the owner\'s user id', async () => {
    const { io } = await import('socket.io-client');
    const socket = io(`${h.url}/public`, { transports: ['websocket'], reconnection: false });
    const events: string[] = [];
    const feeds: unknown[] = [];
    socket.on('indicators', (frame: { id: string; feed: unknown }[]) => {
      events.push(...frame.map((e) => e.id));
      feeds.push(...frame.map((e) => e.feed));
    });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const sent = await h.append(5);
    await until(() => events.length >= 5, 5000, 'public events');
    expect(events).toEqual(sent.map((e) => e.id));
    expect(feeds).toEqual(sent.map((e) => ({ slug: e.feed.slug })));
    socket.disconnect();
  });
});

describe('stats', () => {
  it('reports live counts for the dashboard, summed over gateway nodes', async () => {
    const { readGatewayStats } = await import('@/lib/realtime/gateway-stats');
    const { token } = await h.makeToken();
    const socket = h.client({ token });
    const sink = collect(socket);
    await connected(socket);
    await h.append(3);
    await until(() => sink.events.length >= 3, 5000, 'events');
    // The gateway reports every 5 s; wait for a report taken after these deliveries.
    let stats = await readGatewayStats(h.runtime.engines);
    const deadline = Date.now() + 15_000;
    while ((stats.connectedSockets < 1 || stats.eventsDelivered < 3) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      stats = await readGatewayStats(h.runtime.engines);
    }
    expect(stats.nodes).toBe(1);
    expect(stats.connectedSockets).toBeGreaterThanOrEqual(1);
    expect(stats.eventsDelivered).toBeGreaterThanOrEqual(3);
    socket.disconnect();
  });
});

describe('resume', () => {
  it('replays after `since` then continues live with no gap and no duplicate, while events keep coming', async () => {
    const { token } = await h.makeToken();
    const before = await h.append(1200);
    const since = before[199].cursor;
    // Keep appending while the client connects and replays, so the seam is crossed under load.
    let appending = true;
    const during: string[] = [];
    const writer = (async () => {
      while (appending) {
        during.push(...(await h.append(20)).map((e) => e.id));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const socket = h.client({ token, since });
    const sink = collect(socket);
    await connected(socket);
    await new Promise((r) => setTimeout(r, 300));
    appending = false;
    await writer;
    const after = await h.append(10);
    const expected = [...before.slice(200).map((e) => e.id), ...during, ...after.map((e) => e.id)];
    await until(() => sink.events.length >= expected.length, 10_000, 'replay + live');
    await new Promise((r) => setTimeout(r, 100));
    const ids = sink.events.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expected);
    socket.disconnect();
  });

  it('answers cursor_expired with the oldest cursor once the window has passed', async () => {
    const { token } = await h.makeToken();
    const old = await h.append(2);
    await h.runtime.engines.log.trim(Date.now() + 48 * 3_600_000);
    const fresh = await h.append(1);
    const refusal = await connectError(h.client({ token, since: old[0].cursor }));
    expect(refusal.code).toBe('cursor_expired');
    expect(refusal.oldest).toBe(fresh[0].cursor);
  });
});

describe('ending streams', () => {
  it('ends the streams of a revoked token, and only those', async () => {
    const a = await h.makeToken();
    const b = await h.makeToken();
    const sa = h.client({ token: a.token });
    const sb = h.client({ token: b.token });
    await Promise.all([connected(sa), connected(sb)]);
    const ended = new Promise<{ reason: string }>((resolve) => sa.once('stream:ended', resolve));
    const disconnected = new Promise<number>((resolve) => sa.once('disconnect', () => resolve(Date.now())));
    const startedAt = Date.now();
    await h.runtime.db.prisma.apiToken.update({ where: { id: a.tokenId }, data: { revokedAt: new Date() } });
    await publishControl(h.runtime.engines, { type: 'token_revoked', tokenId: a.tokenId, userId: a.userId });
    expect((await ended).reason).toBe('token_revoked');
    // The target is "within a second"; the figure is printed, and only a far miss fails on a
    // loaded 2-core machine.
    const revokedInMs = (await disconnected) - startedAt;
    console.log(`[gateway] revoked token's stream ended in ${revokedInMs} ms`);
    expect(revokedInMs).toBeLessThan(5000);
    expect(sb.connected).toBe(true);
    // And the revoked token cannot come back.
    expect((await connectError(h.client({ token: a.token }))).code).toBe('invalid_token');
    sb.disconnect();
  });

  it('ends streams when the plan ends', async () => {
    const a = await h.makeToken();
    const socket = h.client({ token: a.token });
    await connected(socket);
    const ended = new Promise<{ reason: string }>((resolve) => socket.once('stream:ended', resolve));
    await h.runtime.db.prisma.user.update({ where: { id: a.userId }, data: { plan: 'free' } });
    await publishControl(h.runtime.engines, { type: 'plan_changed', userId: a.userId, plan: 'free' });
    expect((await ended).reason).toBe('plan_ended');
    expect((await connectError(h.client({ token: a.token }))).code).toBe('plan_required');
  });

  it('disconnects a consumer that stops reading, without holding up the others', { timeout: 60_000 }, async () => {
    const { token } = await h.makeToken();
    // A raw websocket client that completes the handshake, then stops reading its TCP socket.
    const port = new URL(h.url).port;
    const ws = new WebSocket(`ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`);
    await new Promise<void>((resolve) => ws.once('open', () => resolve()));
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // engine.io open packet
    ws.send(`40/firehose,${JSON.stringify({ token })}`);
    await new Promise<void>((resolve) => ws.once('message', () => resolve())); // namespace connect ack
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();

    const healthy = h.client({ token });
    const sink = collect(healthy);
    await connected(healthy);
    const slowBefore = (await gatewayMetrics.slowConsumerDisconnects.get()).values[0]?.value ?? 0;
    const firehoseSockets = () => h.io.of('/firehose').sockets.size;
    const socketsBefore = firehoseSockets();
    const big = 'x'.repeat(4000);
    let sent = 0;
    // Loopback TCP buffers absorb a few MB before the server's own buffer grows: send ~32 MB.
    // Paced by the healthy client: it reads everything, the stalled one reads nothing.
    for (let round = 0; round < 80 && firehoseSockets() === socketsBefore; round += 1) {
      sent += (await h.append(100, () => ({ feed: { slug: 'bulk', owner: big } }))).length;
      await until(() => sink.events.length >= sent, 10_000, 'healthy client to keep up');
    }
    await until(() => firehoseSockets() === socketsBefore - 1, 10_000, 'the stalled client to be dropped');
    const slowAfter = (await gatewayMetrics.slowConsumerDisconnects.get()).values[0]?.value ?? 0;
    expect(slowAfter - slowBefore).toBe(1);
    await until(() => sink.events.length >= sent, 20_000, 'healthy client keeps up');
    expect(sink.events).toHaveLength(sent);
    healthy.disconnect();
    ws.terminate();
  });
});
