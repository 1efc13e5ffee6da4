// Federation across several nodes of one instance (docs/federation.md, "Several nodes"): instance B
// runs as two node processes sharing one PostgreSQL database and Redis; A is linked to B. Exactly
// one of B's nodes holds the link; when it is SIGKILLed while A keeps publishing, the other node
// takes the link over from the stored cursor and a client of B sees every event exactly once.
// Needs PostgreSQL + Redis: an embedded PGlite database lives inside the one process that opened
// its DATA_DIR, and the in-memory log and adapter are per process, so two embedded nodes cannot
// form one instance. (The lease itself is tested on both engines in lease.test.ts.)
import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServerProcess } from '../../helpers/server-process';
import { until } from '../../helpers/wait';
import { usingPostgres, usingRedis } from '../../helpers/test-env';
import { createInstance, Observer, type Instance } from './instances';

const multiNode = usingPostgres && usingRedis;
const SKIP_REASON =
  'skipped on the embedded engines: PGlite runs inside the one node process that opened its DATA_DIR, and the in-memory log/adapter are per process, so two nodes cannot share one embedded instance; run with DATABASE_URL and REDIS_URL';
if (!multiNode) console.info(`federation/multi-node.test.ts: ${SKIP_REASON}`);

const STARTED = '"peer link started on this node"';

let a: Instance;
let b: Instance;
let nodes: ServerProcess[] = [];
const run = randomInt(1, 250);
let serial = 0;
const value = () => {
  serial += 1;
  return `46.${run}.${Math.floor(serial / 250)}.${(serial % 250) + 1}`;
};
const starts = (node: ServerProcess) => node.logs.filter((l) => l.includes(STARTED)).length;

beforeAll(async () => {
  if (!multiNode) return;
  [a, b] = await Promise.all([createInstance('a'), createInstance('b')]);
  await Promise.all([a.start(), b.start()]);
  nodes = [b.server!, await b.addNode()];
  // One direction, A → B: A serves B (no token of B's), B's link subscribes to A.
  const served = await a.admin({ type: 'peer.add', name: 'b', url: b.url });
  await b.admin({ type: 'peer.add', name: 'a', url: a.url, token: served.token! });
}, 400_000);

afterAll(async () => {
  await Promise.all([a, b].filter(Boolean).map((i) => i.dispose()));
}, 120_000);

describe.skipIf(!multiNode)(`federation on two nodes of one instance (PostgreSQL + Redis)`, () => {
  it('one node holds the link; SIGKILLed mid-stream, the other takes over and a client of B sees every event once', async () => {
    await until(() => nodes.some((n) => starts(n) > 0), 60_000, 'a node of B to start the link', 100);
    const holder = nodes.find((n) => starts(n) > 0)!;
    const other = nodes.find((n) => n !== holder)!;
    // Several lease periods (FEDERATION_LEASE_SECONDS=3, renewed every second): still only one holder.
    await new Promise((r) => setTimeout(r, 7000));
    expect(nodes.map(starts).sort()).toEqual([0, 1]);
    const observer = new Observer(b, other.url);
    observer.connect();
    const warmup = value();
    await a.submit('pub', [warmup]);
    await until(() => observer.count(warmup) === 1, 30_000, 'the first event on B', 100);

    const values: string[] = [];
    for (let round = 0; round < 20; round++) {
      const batch = [value(), value(), value()];
      values.push(...batch);
      await a.submit('pub', batch);
      if (round === 6) await holder.stop('SIGKILL');
      await new Promise((r) => setTimeout(r, 150));
    }
    expect(holder.child.exitCode ?? holder.child.signalCode).toBe('SIGKILL');
    for (const v of values) await until(() => observer.count(v) > 0, 60_000, `${v} on B after the takeover`, 100);
    expect(starts(other), 'the surviving node took the link over').toBe(1);
    // The takeover resumed from the stored cursor, not from "now".
    const taken = JSON.parse(other.logs.find((l) => l.includes(STARTED))!) as { since: string | null };
    expect(taken.since).toMatch(/^\d+-\d+$/);
    await new Promise((r) => setTimeout(r, 4000)); // time for any replayed duplicate to show
    for (const v of [warmup, ...values]) {
      expect(observer.deliveries.filter((e) => e.indicator.value === v).length, `${v} delivered on B`).toBe(1);
    }
    const origins = observer.deliveries.filter((e) => e.origin && e.feed.slug === 'peer:a').map((e) => e.origin!.eventId);
    expect(new Set(origins).size).toBe(origins.length);
    for (const v of values.slice(15, 21)) expect(await b.sightings(v, other.url), `${v} stored on B`).toBe(1);
    const list = await b.admin({ type: 'peer.list' }, other.url);
    expect(list.lines.join('\n')).toContain('state connected');
    observer.close();
  }, 300_000);
});
