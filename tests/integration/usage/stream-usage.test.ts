// Stream usage (lib/usage) from a real gateway: connection time and events delivered, per token,
// over socket.io and the HTTP stream (SSE), counted in memory and added to usage_hours.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeUsageRecorder, getUsageRecorder } from '@/lib/usage';
import { collect, connected, startGatewayHarness, until, type GatewayHarness } from '../../helpers/gateway-harness';

let h: GatewayHarness;

beforeAll(async () => {
  h = await startGatewayHarness({}, { USAGE_FLUSH_SECONDS: '3600' });
}, 120_000);
afterAll(async () => {
  await closeUsageRecorder();
  await h?.close();
});

/** An SSE stream counting the events it receives. */
function sse(token: string): Promise<{ events: () => number; abort(): void }> {
  return new Promise((resolve, reject) => {
    let events = 0;
    const req = request(`${h.url}/api/v1/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
    req.on('error', (error) => (events >= 0 ? undefined : reject(error)));
    req.on('response', (res) => {
      expect(res.statusCode).toBe(200);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        events += chunk.split('\n').filter((line) => line.startsWith('data: ')).length;
      });
      res.on('error', () => undefined);
      resolve({ events: () => events, abort: () => req.destroy() });
    });
    req.end();
  });
}

describe('stream usage', () => {
  it('counts each token’s events delivered and connection seconds over socket.io and SSE', async () => {
    const a = await h.makeToken();
    const b = await h.makeToken();
    const socket = h.client({ token: a.token });
    const sink = collect(socket);
    await connected(socket);
    const stream = await sse(a.token);
    const other = await sse(b.token);
    await h.append(12);
    await until(() => sink.events.length >= 12 && stream.events() >= 12 && other.events() >= 12, 10_000, 'the events on every stream');
    await new Promise((r) => setTimeout(r, 1200)); // over a second open
    socket.disconnect();
    stream.abort();
    // b's stream stays open: the flush counts its time so far.
    await until(() => getUsageRecorder(h.runtime).stats().openStreams === 1, 5000, 'the closed streams to be forgotten');
    await getUsageRecorder(h.runtime).flush();
    const rows = await h.t.db.sql.query<{ user_id: string; events: string; seconds: number; requests: number }>(
      'SELECT user_id, sum(events_delivered)::text AS events, sum(stream_seconds)::int AS seconds, sum(requests)::int AS requests FROM usage_hours WHERE user_id = ANY($1::uuid[]) GROUP BY user_id',
      [[a.userId, b.userId]],
    );
    const byUser = new Map(rows.map((r) => [r.user_id, r]));
    expect(byUser.get(a.userId)).toMatchObject({ events: '24', requests: 0 });
    expect(byUser.get(a.userId)!.seconds).toBeGreaterThanOrEqual(2);
    expect(byUser.get(b.userId)).toMatchObject({ events: '12' });
    expect(byUser.get(b.userId)!.seconds).toBeGreaterThanOrEqual(1);
    other.abort();
  });
});
