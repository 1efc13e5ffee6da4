// Federation with three real instances (docs/federation.md): A, B and C, separate processes with
// their own databases, linked both ways in a triangle. What one instance publishes reaches the
// others once; what is private or excluded by a rule never leaves; loops deliver once per instance;
// a peer killed mid-stream loses nothing for the others, and nothing is duplicated when it returns;
// a restarted instance resumes every link from its stored cursor.
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { until } from '../../helpers/wait';
import { usingPostgres } from '../../helpers/test-env';
import { createInstance, linkBothWays, Observer, type Instance } from './instances';

let a: Instance;
let b: Instance;
let c: Instance;
const observers = new Map<string, Observer>();
const observe = (i: Instance) => observers.get(i.name)!;

const run = randomInt(1, 250);
let serial = 0;
/** A fresh public IPv4 address per call (no warning list holds 45.x test addresses). */
const value = () => {
  serial += 1;
  return `45.${run}.${Math.floor(serial / 250)}.${(serial % 250) + 1}`;
};

beforeAll(async () => {
  [a, b, c] = await Promise.all([createInstance('a'), createInstance('b'), createInstance('c')]);
  await Promise.all([a.start(), b.start(), c.start()]);
  // A never shares its feed "internal", with anyone.
  await linkBothWays(a, b, { aOut: { excludeFeeds: ['internal'] } });
  await linkBothWays(b, c);
  await linkBothWays(c, a, { bOut: { excludeFeeds: ['internal'] } });
  for (const i of [a, b, c]) {
    const o = new Observer(i);
    o.connect();
    observers.set(i.name, o);
  }
  // Every link is connected (each instance runs two).
  for (const i of [a, b, c]) {
    await vi.waitFor(
      async () => {
        const connected = (await i.admin({ type: 'peer.list' })).lines.filter((l) => l.includes('state connected')).length;
        if (connected !== 2) throw new Error(`${i.name}: ${connected} of 2 links connected`);
      },
      { timeout: 90_000, interval: 500 },
    );
  }
}, 400_000);

afterAll(async () => {
  for (const o of observers.values()) o.close();
  await Promise.all([a, b, c].filter(Boolean).map((i) => i.dispose()));
}, 120_000);

/** Waits until each named instance's firehose showed the value. */
async function arrives(v: string, on: Instance[], timeout = 30_000) {
  for (const i of on) await until(() => observe(i).count(v) > 0, timeout, `${v} on ${i.name}`, 100);
}

describe(`federation of three instances (${usingPostgres ? 'PostgreSQL + Redis' : 'embedded'})`, () => {
  it('a public indicator submitted on A appears once on B’s and C’s firehose, with its origin', async () => {
    const v = value();
    const [result] = (await a.submit('pub', [v])).results;
    await arrives(v, [a, b, c]);
    await new Promise((r) => setTimeout(r, 3000)); // time for a second copy through the other path
    for (const i of [a, b, c]) expect(observe(i).count(v), `${v} on ${i.name}`).toBe(1);
    const local = observe(a).events.find((e) => e.indicator.value === v)!;
    expect(local.origin).toMatchObject({ eventId: result.eventId, hops: 0 });
    for (const i of [b, c]) {
      const received = observe(i).events.find((e) => e.indicator.value === v)!;
      expect(received.origin).toMatchObject({ instance: local.origin!.instance, eventId: result.eventId });
      expect(received.origin!.hops).toBeGreaterThanOrEqual(1);
      expect(received.feed.slug).toMatch(/^peer:[abc]$/);
      expect(await i.sightings(v)).toBe(1); // stored once
    }
  }, 240_000);

  it('a private (TLP:GREEN) indicator and a feed excluded by a rule never leave A', async () => {
    const secret = value();
    const internal = value();
    const sentinel = value();
    await a.submit('priv', [secret]);
    await a.submit('internal', [internal]);
    await a.submit('pub', [sentinel]);
    await arrives(sentinel, [b, c]);
    await arrives(internal, [a]);
    await new Promise((r) => setTimeout(r, 2000));
    for (const i of [b, c]) {
      expect(observe(i).count(secret)).toBe(0);
      expect(observe(i).count(internal)).toBe(0);
      expect(await i.sightings(secret)).toBe(0);
      expect(await i.sightings(internal)).toBe(0);
    }
    expect(await a.sightings(secret)).toBe(1); // the owner still sees it
  }, 240_000);

  it('loops (A→B→C→A and back) deliver each event once per instance, and never back to its origin', async () => {
    const fromEach = new Map<Instance, string>([[a, value()], [b, value()], [c, value()]]);
    for (const [i, v] of fromEach) await i.submit('pub', [v]);
    for (const v of fromEach.values()) await arrives(v, [a, b, c]);
    await new Promise((r) => setTimeout(r, 3000));
    for (const i of [a, b, c]) {
      for (const v of fromEach.values()) expect(observe(i).count(v), `${v} on ${i.name}`).toBe(1);
      // Over everything seen so far: no origin twice on one instance.
      const origins = observe(i).events.filter((e) => e.origin).map((e) => `${e.origin!.instance}/${e.origin!.eventId}`);
      expect(new Set(origins).size).toBe(origins.length);
    }
    // A value reported on two instances counts two reporters there (one per origin instance).
    const both = value();
    await a.submit('pub', [both]);
    await b.submit('pub', [both]);
    await until(() => observe(c).count(both) === 2, 30_000, 'both reports on c', 100);
    await expect.poll(() => Math.max(...observe(c).events.filter((e) => e.indicator.value === both).map((e) => e.indicator.reporters ?? 0)), { timeout: 10_000 }).toBe(2);
  }, 240_000);

  it('B killed mid-stream while A publishes: C misses nothing; B restarted: nothing duplicated anywhere', async () => {
    const values: string[] = [];
    for (let round = 0; round < 20; round++) {
      const batch = [value(), value(), value()];
      values.push(...batch);
      await a.submit('pub', batch);
      if (round === 6) await b.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const v of values) await until(() => observe(c).count(v) > 0, 30_000, `${v} on c`, 100);
    await b.start();
    for (const v of values) await until(() => observe(b).count(v) > 0, 60_000, `${v} on b after its restart`, 100);
    await new Promise((r) => setTimeout(r, 4000));
    for (const i of [a, b, c]) {
      for (const v of values) expect(observe(i).count(v), `${v} on ${i.name}`).toBe(1);
    }
    for (const v of values.slice(0, 5)) for (const i of [b, c]) expect(await i.sightings(v)).toBe(1);
  }, 240_000);

  it('a restart of C resumes every link from its stored cursor', async () => {
    await c.stop();
    const missed = [value(), value()];
    await a.submit('pub', [missed[0]]);
    await b.submit('pub', [missed[1]]);
    await arrives(missed[0], [b]);
    await c.start();
    for (const v of missed) await arrives(v, [c], 60_000);
    // Both links started from a stored cursor, not from "now".
    await until(() => c.server!.logs.filter((l) => l.includes('"peer link started on this node"')).length >= 2, 30_000, 'both links started', 100);
    const starts = c.server!.logs.filter((l) => l.includes('"peer link started on this node"')).map((l) => JSON.parse(l) as { link: string; since: string | null });
    for (const s of starts) expect(s.since, `link ${s.link}`).toMatch(/^\d+-\d+$/);
    await new Promise((r) => setTimeout(r, 3000));
    for (const v of missed) {
      expect(observe(c).count(v)).toBe(1);
      expect(await c.sightings(v)).toBe(1);
    }
  }, 240_000);
});
