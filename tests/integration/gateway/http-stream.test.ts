// The firehose over HTTP (GET /api/v1/stream): Server-Sent Events and NDJSON against an in-process
// gateway on the configured database and engines — the same events in the same order as socket.io,
// refusals as JSON before the stream starts, resume by Last-Event-ID / since, revocation on every
// node, and a slow reader cut off while others keep up.
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirehoseEvent } from '@/lib/events';
import { revokeApiToken } from '@/lib/tokens';
import { gatewayMetrics } from '@/server/metrics';
import { collect, connected, SLOW_CONSUMER_TEST_LIMIT, startGatewayHarness, until, type GatewayHarness, type GatewayNode } from '../../helpers/gateway-harness';

let h: GatewayHarness;
let other: GatewayNode;


beforeAll(async () => {
  h = await startGatewayHarness({ maxBufferedBytes: SLOW_CONSUMER_TEST_LIMIT });
  other = await h.addNode();
}, 120_000);
afterAll(async () => {
  await other?.close();
  await h?.close();
});

interface Reader {
  status: number;
  headers: IncomingMessage['headers'];
  events: FirehoseEvent[];
  /** SSE `id:` lines in order. */
  ids: string[];
  end: { reason: string; message: string; cursor: string | null } | null;
  body: string;
  closed: boolean;
  res: IncomingMessage;
  abort(): void;
}

/** Opens a stream and parses it as it arrives (SSE or NDJSON by the response's content type). */
function open(baseUrl: string, query: string, headers: Record<string, string>): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const req = request(`${baseUrl}/api/v1/stream${query}`, { headers });
    req.on('error', reject);
    req.on('response', (res) => {
      const reader: Reader = { status: res.statusCode ?? 0, headers: res.headers, events: [], ids: [], end: null, body: '', closed: false, res, abort: () => req.destroy() };
      const sse = /event-stream/.test(String(res.headers['content-type']));
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        reader.body += chunk;
        buffer += chunk;
        const separator = sse ? '\n\n' : '\n';
        let at: number;
        while ((at = buffer.indexOf(separator)) >= 0) {
          const block = buffer.slice(0, at);
          buffer = buffer.slice(at + separator.length);
          if (!block.trim()) continue;
          if (sse) {
            const lines = block.split('\n');
            const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
            const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
            const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
            if (!data) continue;
            if (event === 'end') reader.end = JSON.parse(data);
            else {
              reader.events.push(JSON.parse(data));
              if (id) reader.ids.push(id);
            }
          } else {
            const parsed = JSON.parse(block) as FirehoseEvent | { end: Reader['end'] };
            if ('end' in parsed) reader.end = parsed.end;
            else reader.events.push(parsed);
          }
        }
      });
      res.on('close', () => (reader.closed = true));
      resolve(reader);
    });
    req.end();
  });
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

describe('GET /api/v1/stream', () => {
  it('delivers the same events in the same order over SSE, NDJSON and socket.io for the same filters', async () => {
    const { token } = await h.makeToken();
    const sse = await open(h.url, '?types=domain', { ...auth(token), accept: 'text/event-stream' });
    const ndjson = await open(h.url, '?types=domain&format=ndjson', auth(token));
    expect(sse.status).toBe(200);
    expect(sse.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(ndjson.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const socket = h.client({ token, filters: { types: ['domain'] } });
    const sink = collect(socket);
    await connected(socket);
    const appended = await h.append(60, (i) => (i % 3 === 0 ? { indicator: { type: 'domain', value: `d${i}.example-http.net`, tags: [], confidence: 50, firstSeen: new Date().toISOString(), lastSeen: new Date().toISOString(), count: 1 } } : {}));
    const domains = appended.filter((e) => e.indicator.type === 'domain').map((e) => e.id);
    expect(domains).toHaveLength(20);
    await until(() => sse.events.length >= 20 && ndjson.events.length >= 20 && sink.events.length >= 20, 10_000, 'all three transports');
    await new Promise((r) => setTimeout(r, 200));
    expect(sink.events.map((e) => e.id)).toEqual(domains);
    expect(sse.events.map((e) => e.id)).toEqual(domains);
    expect(ndjson.events.map((e) => e.id)).toEqual(domains);
    // SSE ids are the cursors, for EventSource's Last-Event-ID.
    expect(sse.ids).toEqual(sse.events.map((e) => e.cursor));
    expect(sse.events.map((e) => e.cursor)).toEqual(sink.events.map((e) => e.cursor));
    sse.abort();
    ndjson.abort();
    socket.disconnect();
  });

  it('refuses with the gateway codes as JSON before the stream starts', async () => {
    const noToken = await open(h.url, '', {});
    expect(noToken.status).toBe(401);
    await until(() => noToken.closed, 5000, 'the refusal body');
    expect(JSON.parse(noToken.body)).toMatchObject({ error: { code: 'invalid_token' } });

    const free = await h.makeToken({ plan: 'free' });
    const freeStream = await open(h.url, '', auth(free.token));
    expect(freeStream.status).toBe(403);
    await until(() => freeStream.closed, 5000, 'the refusal body');
    expect(JSON.parse(freeStream.body)).toMatchObject({ error: { code: 'plan_required' } });

    const { token } = await h.makeToken();
    const badFilter = await open(h.url, '?types=nonsense', auth(token));
    expect(badFilter.status).toBe(400);
    await until(() => badFilter.closed, 5000, 'the refusal body');
    // named as the query parameter the client sent, not as the socket.io auth field behind it
    expect(JSON.parse(badFilter.body).error).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^invalid query parameter: types\.0: /) });
    const badFormat = await open(h.url, '?format=xml', auth(token));
    expect(badFormat.status).toBe(400);
    await until(() => badFormat.closed, 5000, 'the refusal body');
    expect(JSON.parse(badFormat.body).error).toMatchObject({ code: 'invalid_request', message: expect.stringContaining('format must be sse or ndjson') });
    const badCursor = await open(h.url, '?since=not-a-cursor', auth(token));
    expect(badCursor.status).toBe(400);
    await until(() => badCursor.closed, 5000, 'the refusal body');
    expect(JSON.parse(badCursor.body)).toMatchObject({ error: { code: 'invalid_cursor' } });
    const expired = await open(h.url, '', { ...auth(token), 'last-event-id': '1000000000000-1' });
    expect(expired.status).toBe(410);
    await until(() => expired.closed, 5000, 'the refusal body');
    expect(JSON.parse(expired.body).error.code).toBe('cursor_expired');
  });

  it('resumes after Last-Event-ID (SSE) and ?since= (NDJSON): the missed events, then live, no gap, no duplicate', async () => {
    const { token } = await h.makeToken();
    const before = await h.append(30);
    const cursor = before[9].cursor;
    const sse = await open(h.url, '', { ...auth(token), 'last-event-id': cursor });
    const ndjson = await open(h.url, `?since=${encodeURIComponent(cursor)}`, { ...auth(token), accept: 'application/x-ndjson' });
    const live = await h.append(25);
    const expected = [...before.slice(10), ...live].map((e) => e.id);
    await until(() => sse.events.length >= expected.length && ndjson.events.length >= expected.length, 10_000, 'replay then live');
    await new Promise((r) => setTimeout(r, 200));
    expect(sse.events.map((e) => e.id)).toEqual(expected);
    expect(ndjson.events.map((e) => e.id)).toEqual(expected);
    sse.abort();
    ndjson.abort();
  });

  it('ends a revoked token’s HTTP streams on every node within a second, with a final end event', async () => {
    const { token, tokenId, userId } = await h.makeToken();
    const here = await open(h.url, '', auth(token));
    const there = await open(other.url, '?format=ndjson', auth(token));
    expect([here.status, there.status]).toEqual([200, 200]);
    const bystander = await open(h.url, '', auth((await h.makeToken()).token));
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await revokeApiToken({ prisma: h.runtime.db.prisma, engines: h.runtime.engines }, { id: tokenId, userId });
    await until(() => here.closed && there.closed, 5000, 'both streams to end');
    const ms = Date.now() - started;
    console.log(`[http-stream] revoked token's streams ended on both nodes in ${ms} ms`);
    expect(ms).toBeLessThan(3000); // "within a second", with room for a loaded 2-core machine
    expect(here.end).toMatchObject({ reason: 'token_revoked' });
    expect(there.end).toMatchObject({ reason: 'token_revoked' });
    expect(bystander.closed).toBe(false);
    bystander.abort();
  });

  it('cuts off a reader that stops reading while the others keep up', { timeout: 90_000 }, async () => {
    const { token } = await h.makeToken();
    const port = new URL(h.url).port;
    // A raw client that sends the request, reads the head, then stops reading its socket.
    const stalled = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => stalled.once('connect', () => resolve()));
    stalled.write(`GET /api/v1/stream?format=ndjson HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n\r\n`);
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();
    const healthy = await open(h.url, '?format=ndjson', auth(token));
    // A paused socket does not notice its own end: watch the server's side.
    await until(() => h.gateway.httpStreams.size >= 2, 5000, 'both streams');
    const streamsBefore = h.gateway.httpStreams.size;
    const stalledCut = () => h.gateway.httpStreams.size < streamsBefore;
    const slowBefore = (await gatewayMetrics.slowConsumerDisconnects.get()).values[0]?.value ?? 0;
    const big = 'x'.repeat(4000);
    let sent = 0;
    // Loopback TCP buffers absorb a few MB before the server's own buffer grows: send up to ~32 MB.
    for (let round = 0; round < 80 && !stalledCut(); round += 1) {
      sent += (await h.append(100, () => ({ feed: { slug: 'bulk', owner: big } }))).length;
      await until(() => healthy.events.length >= sent, 15_000, 'the healthy reader to keep up');
    }
    await until(stalledCut, 15_000, 'the stalled reader to be cut off');
    const slowAfter = (await gatewayMetrics.slowConsumerDisconnects.get()).values[0]?.value ?? 0;
    expect(slowAfter - slowBefore).toBeGreaterThanOrEqual(1);
    await until(() => healthy.events.length >= sent, 20_000, 'the healthy reader keeps up');
    expect(healthy.events).toHaveLength(sent);
    expect(healthy.closed).toBe(false);
    healthy.abort();
    stalled.destroy();
  });
});
