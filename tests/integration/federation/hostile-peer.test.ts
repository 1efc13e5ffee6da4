// A hostile peer (docs/federation.md, "What a peer can and cannot do"): a real Sluice instance F
// follows a fake peer (./hostile-peer.ts) over a real link, and the peer sends what no honest
// instance would — values the ingest API refuses, events that cannot be stored (poison), forged
// origins (F itself, invented instances to fake corroboration), oversized frames, and floods of
// introductions. F must screen each event like a local submission, drop what is malformed without
// stalling the link, credit invented instances to the link alone, bound frames and suggestions,
// and keep its own firehose healthy.
import { randomInt, randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { until } from '../../helpers/wait';
import { usingPostgres } from '../../helpers/test-env';
import { HostilePeer } from './hostile-peer';
import { createInstance, Observer, type Instance } from './instances';

let f: Instance;
let peer: HostilePeer;
let observer: Observer;
let inboundToken: string;
const PEER_INSTANCE = randomUUID();

const run = randomInt(1, 250);
let serial = 0;
/** A fresh public IPv4 address per call (no warning list holds 45.x test addresses). */
const ip = () => {
  serial += 1;
  return `45.${run}.${100 + Math.floor(serial / 250)}.${(serial % 250) + 1}`;
};

/** An event as a real peer's firehose carries it, with `over` merged in (indicator and origin shallowly). */
function event(value: unknown, over: { indicator?: object; origin?: object; [key: string]: unknown } = {}) {
  const now = new Date().toISOString();
  const { indicator, origin, ...rest } = over;
  return {
    id: randomUUID(),
    kind: 'new',
    indicator: { type: 'ipv4', value, tags: ['hostile-test'], confidence: 50, firstSeen: now, lastSeen: now, count: 1, reporters: 1, ...indicator },
    feed: { slug: 'pub', owner: randomUUID() },
    reportedAt: now,
    origin: { instance: PEER_INSTANCE, eventId: randomUUID(), hops: 0, ...origin },
    ...rest,
  };
}

/** Waits until F's firehose shows the value (it crossed the link and was published). */
const arrives = (value: string, timeout = 30_000) => until(() => observer.count(value) > 0, timeout, `${value} on F`, 100);

async function lastError(): Promise<string> {
  const [line] = (await f.admin({ type: 'peer.list' })).lines;
  return line ?? '';
}

beforeAll(async () => {
  [f, peer] = await Promise.all([createInstance('f'), HostilePeer.start()]);
  await f.start();
  observer = new Observer(f);
  observer.connect();
  // F's operator follows the peer with a token it issued (any well-formed token: the peer accepts all).
  inboundToken = (await f.admin({ type: 'peer.add', name: 'evil', url: peer.url, token: `slc_${'A'.repeat(43)}` })).token!;
  await vi.waitFor(
    () => {
      if (!peer.followerInstance) throw new Error('F has not connected to the peer yet');
    },
    { timeout: 30_000, interval: 200 },
  );
}, 240_000);

afterAll(async () => {
  observer?.close();
  await f?.dispose();
  await peer?.stop().catch(() => undefined);
}, 120_000);

describe(`a hostile peer followed by a real instance (${usingPostgres ? 'PostgreSQL + Redis' : 'embedded'})`, () => {
  it('values the ingest API refuses are refused from a peer too; the rest of the frame still arrives', async () => {
    const marker = ip();
    const hostile = ['<script>alert(1)</script>', 'evil\u0007.example.com', `${'a'.repeat(300)}.example.com`, '999.1.1.1', '10.0.0.1', ' '];
    peer.publish([
      ...hostile.map((v) => event(v, { indicator: { type: 'domain' } })),
      event('<img src=x onerror=alert(1)>', { indicator: { type: 'url' } }),
      event(12345),
      event({ toString: 'x' }),
      event('45.1.1.1', { indicator: { type: 'not-a-type' } }),
      event('45.1.1.2', { indicator: { tags: ['<b>bold</b>'] } }),
      event('45.1.1.3', { indicator: { confidence: 1000 } }),
      event('45.1.1.4', { reportedAt: '2999-01-01T00:00:00Z' }),
      event(marker),
    ]);
    await arrives(marker);
    const values = observer.events.map((e) => e.indicator.value);
    for (const v of [...hostile, '<img src=x onerror=alert(1)>', '45.1.1.1', '45.1.1.2', '45.1.1.3', '45.1.1.4']) expect(values).not.toContain(v);
    expect(observer.events.every((e) => typeof e.indicator.value === 'string')).toBe(true);
    for (const v of ['45.1.1.1', '45.1.1.2', '45.1.1.3', '45.1.1.4']) expect(await f.sightings(v)).toBe(0);
  }, 60_000);

  it('an event that cannot be stored is dropped: it does not stall the link for what follows', async () => {
    const marker = ip();
    // Each of these made the ingest transaction (or the cursor write) fail, so the frame was
    // retried forever and nothing after it ever arrived.
    peer.publish([event(ip(), { indicator: { reporters: 1.5 } })]);
    peer.publish([event(ip(), { indicator: { reporters: 1e12 } })]);
    peer.publish([event(ip(), { origin: { eventId: 'nul\u0000id' } })]);
    peer.publish([event(ip(), { origin: { instance: 'nul\u0000instance' } })]);
    peer.publish([{ ...event(ip()), cursor: 'cursor\u0000with-nul' }]);
    peer.publish([event(ip(), { feed: 'not an object', indicator: { tags: 'not an array' } })]);
    peer.publish([event(marker)]);
    await arrives(marker);
  }, 60_000);

  it('forged origin: an event claiming to come from F itself (its id in capitals) is dropped', async () => {
    const loop = ip();
    const marker = ip();
    peer.publish([event(loop, { origin: { instance: peer.followerInstance!.toUpperCase() } })]);
    peer.publish([event(marker)]);
    await arrives(marker);
    expect(observer.count(loop)).toBe(0);
    expect(await f.sightings(loop)).toBe(0);
  }, 60_000);

  it('forged origins: instances F is not linked to add no reporters, and cannot corroborate a held value', async () => {
    const inflated = ip();
    const marker = ip();
    // One value from five instances that do not exist: five reporters, confidence raised to ~98.
    peer.publish(Array.from({ length: 5 }, () => event(inflated, { origin: { instance: randomUUID(), hops: 1 } })));
    // A value held by a warning list (google.com): three invented instances made it 'corroborated'.
    peer.publish(Array.from({ length: 3 }, () => event('google.com', { indicator: { type: 'domain' }, origin: { instance: randomUUID(), hops: 2 } })));
    peer.publish([event(marker)]);
    await arrives(marker);
    expect(observer.count('google.com')).toBe(0);
    const reporters = observer.events.filter((e) => e.indicator.value === inflated).map((e) => e.indicator.reporters ?? 0);
    expect(reporters.length).toBe(5); // each is a sighting, from the peer
    expect(Math.max(...reporters)).toBe(1);
  }, 60_000);

  it('replays, cursors going backwards and duplicates give no duplicate downstream; retractions and derived kinds are not taken', async () => {
    const once = ip();
    const local = ip();
    const marker = ip();
    const original = event(once);
    peer.publish([original]);
    await arrives(once);
    await f.submit('pub', [local]);
    await arrives(local);
    // The same event again, under a later cursor, under an earlier one, and twice in one frame.
    peer.publish([original, { ...original, id: randomUUID() }]);
    peer.publish([{ ...original, cursor: '1-1' }]);
    // A retraction of F's own value, and derived kinds each instance makes for itself.
    peer.publish([
      event(local, { kind: 'retracted', retraction: { reason: 'peer says so', at: new Date().toISOString() } }),
      event(local, { kind: 'expired' }),
      event(ip(), { kind: 'correlated' }),
    ]);
    peer.publish([event(marker)]);
    await arrives(marker);
    await new Promise((r) => setTimeout(r, 500));
    expect(observer.count(once)).toBe(1);
    expect(await f.sightings(once)).toBe(1);
    expect(observer.events.filter((e) => e.indicator.value === local).map((e) => e.kind)).toEqual(['new']);
    expect(await f.sightings(local)).toBe(1);
  }, 60_000);

  it('a frame larger than the protocol ever sends is refused whole; the link resumes after it', async () => {
    const inFrame = Array.from({ length: 100 }, () => ip());
    const marker = ip();
    const padding = 'x'.repeat(100_000); // 100 × 100 kB: a 10 MB frame (a real one is at most ~5 MB)
    peer.publish(inFrame.map((v) => event(v, { padding })), { live: true });
    peer.publish([event(marker)]);
    await arrives(marker);
    await new Promise((r) => setTimeout(r, 500));
    for (const v of inFrame) expect(observer.count(v), v).toBe(0);
    expect(await lastError()).toMatch(/frame|too big|payload|disconnected/i);
  }, 60_000);

  it('introductions: hostile URLs are never suggested, and a peer cannot fill the suggestions without bound', async () => {
    let round = 0;
    peer.introductions = () => {
      round += 1;
      return [
        { name: 'js', url: 'javascript:alert(1)', instance: null },
        { name: 'file', url: 'file:///etc/passwd', instance: null },
        { name: 'creds', url: 'http://user:pass@example.org', instance: null },
        ...Array.from({ length: 100 }, (_, i) => ({ name: `spam-${round}-${i}`, url: `https://spam-${round}-${i}.example.org`, instance: null })),
      ];
    };
    peer.dropAfterIntroductions = true; // every reconnection asks again
    const asked = peer.introductionRequests;
    peer.dropAll(); // the follower reconnects, and asks at once
    await until(() => peer.introductionRequests >= asked + 4, 60_000, 'four introduction rounds', 100);
    peer.dropAfterIntroductions = false;
    peer.introductions = () => [];
    await new Promise((r) => setTimeout(r, 500));
    const lines = (await f.admin({ type: 'peer.suggestions' })).lines;
    expect(lines.some((l) => /javascript:|file:|user:pass/.test(l))).toBe(false);
    expect(lines.filter((l) => l.includes('spam-')).length).toBeGreaterThan(0);
    expect(lines.filter((l) => l.includes('spam-')).length).toBeLessThanOrEqual(100);
  }, 90_000);

  it('connecting here with its peer token, the peer cannot state a malformed instance id', async () => {
    const connect = (instance: string) =>
      new Promise<string>((resolve) => {
        const s = io(`${f.url}/firehose`, { transports: ['websocket'], reconnection: false, auth: { token: inboundToken, peer: { instance } } });
        s.on('connect', () => resolve('connected'));
        s.on('connect_error', (e: Error & { data?: { code?: string } }) => resolve(e.data?.code ?? e.message));
        setTimeout(() => s.disconnect(), 1000);
      });
    // A NUL was a database error ('unavailable: retry shortly'); a free-form id was stored as the link's remote.
    expect(await connect('nul\u0000x')).toBe('invalid_request');
    expect(await connect('A'.repeat(64))).toBe('invalid_request');
    expect(await connect(PEER_INSTANCE)).toBe('connected');
  }, 30_000);

  it('after all that, F’s own firehose is healthy: a local submission streams at once', async () => {
    const local = ip();
    await f.submit('pub', [local]);
    await arrives(local, 15_000);
    // And the link still follows the peer.
    const marker = ip();
    peer.publish([event(marker)]);
    await arrives(marker);
  }, 60_000);
});
