// Discovery with three real instances (docs/federation.md, "Discovery"): A is linked to B and to C;
// A's operator flags the link to C `introduce`, and B learns of C over its link to A (gossip) —
// as a suggestion only, linked once B's operator accepts it with a token C issued. B and C also
// announce themselves on the local network (FEDERATION_MDNS=true) and find each other; A, without
// it, announces nothing. Bad input to every new action and to the new socket.io request is a 4xx.
import { randomInt } from 'node:crypto';
import { Bonjour, type Service } from 'bonjour-service';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INTRODUCTIONS_EVENT } from '@/lib/realtime/protocol';
import { MDNS_SERVICE_TYPE } from '@/server/federation/mdns';
import { usingPostgres } from '../../helpers/test-env';
import { until } from '../../helpers/wait';
import { createInstance, linkBothWays, Observer, type Instance } from './instances';

let a: Instance;
let b: Instance;
let c: Instance;
const gossip = { FEDERATION_GOSSIP_SECONDS: '1' };

const connectedLinks = async (i: Instance) => (await i.admin({ type: 'peer.list' })).lines.filter((l) => l.includes('state connected')).length;
const suggestions = async (i: Instance) => (await i.admin({ type: 'peer.suggestions' })).lines.filter((l) => l.includes('introduced by'));
/** Who introduced the suggestion on this line: link names and/or "mdns". */
const introducers = (line: string | undefined) => (line ? (/introduced by ([\w-]+(?:, [\w-]+)*)/.exec(line)?.[1].split(', ') ?? []) : []);

beforeAll(async () => {
  [a, b, c] = await Promise.all([createInstance('a', gossip), createInstance('b', { ...gossip, FEDERATION_MDNS: 'true' }), createInstance('c', { ...gossip, FEDERATION_MDNS: 'true' })]);
  await Promise.all([a.start(), b.start(), c.start()]);
  await linkBothWays(a, b);
  await linkBothWays(a, c);
  for (const [i, n] of [[a, 2], [b, 1], [c, 1]] as const) {
    await vi.waitFor(
      async () => {
        if ((await connectedLinks(i)) !== n) throw new Error(`${i.name}: links not connected`);
      },
      { timeout: 90_000, interval: 500 },
    );
  }
}, 400_000);

afterAll(async () => {
  await Promise.all([a, b, c].filter(Boolean).map((i) => i.dispose()));
}, 120_000);

describe(`federation discovery (${usingPostgres ? 'PostgreSQL + Redis' : 'embedded'})`, () => {
  it('nothing is introduced by default; a link flagged introduce is gossiped as a suggestion, never as a link', async () => {
    await new Promise((r) => setTimeout(r, 3000)); // several gossip periods with nothing flagged
    expect((await suggestions(b)).filter((l) => introducers(l).includes('a'))).toEqual([]);
    expect((await suggestions(c)).filter((l) => introducers(l).includes('a'))).toEqual([]);

    await a.admin({ type: 'peer.set', name: 'c', introduce: true });
    await vi.waitFor(
      async () => {
        const lines = await suggestions(b);
        if (!lines.some((l) => l.includes(c.url) && introducers(l).includes('a'))) throw new Error(`no suggestion of c on b: ${lines.join(' | ')}`);
      },
      { timeout: 30_000, interval: 500 },
    );
    const line = (await suggestions(b)).find((l) => l.includes(c.url))!;
    expect(line).toMatch(/^c\s/); // the name A gave the link
    // Trust is never automatic: B has no link to C.
    const links = (await b.admin({ type: 'peer.list' })).lines;
    expect(links.some((l) => l.includes(c.url))).toBe(false);
    // C is never introduced to itself, and B (not flagged) is never introduced to C by A.
    expect((await suggestions(c)).filter((l) => introducers(l).includes('a'))).toEqual([]);
  }, 120_000);

  it('mDNS: instances with FEDERATION_MDNS find each other as suggestions; one without it is not announced', async () => {
    await vi.waitFor(
      async () => {
        const onB = (await suggestions(b)).find((l) => l.includes(c.url));
        const onC = (await suggestions(c)).find((l) => l.includes(b.url));
        if (!introducers(onB).includes('mdns') || !introducers(onC).includes('mdns')) throw new Error(`not found by mDNS yet: ${onB} / ${onC}`);
      },
      { timeout: 60_000, interval: 1000 },
    );
    // B's suggestion of C names both introducers, once.
    expect((await suggestions(b)).filter((l) => l.includes(c.url))).toHaveLength(1);
    expect(introducers((await suggestions(b)).find((l) => l.includes(c.url))).sort()).toEqual(['a', 'mdns']);
    // What the local network carries, seen by a browser of our own: B and C, never A.
    const bonjour = new Bonjour();
    const seen = new Set<string>();
    const browser = bonjour.find({ type: MDNS_SERVICE_TYPE }, (service: Service) => seen.add(String((service.txt as { url?: string }).url)));
    try {
      await until(() => seen.has(b.url) && seen.has(c.url), 20_000, 'b and c announced', 100);
      await new Promise((r) => setTimeout(r, 2000));
      expect(seen.has(a.url)).toBe(false);
    } finally {
      browser.stop();
      bonjour.destroy();
    }
  }, 90_000);

  it('bad input to the new actions and the introductions request is refused with a 4xx', async () => {
    const raw = async (instance: Instance, command: unknown) => {
      try {
        await instance.admin(command as never);
        return 200;
      } catch (error) {
        return Number(/→ (\d{3})/.exec((error as Error).message)?.[1]);
      }
    };
    expect(await raw(b, { type: 'peer.accept', url: 'http://127.0.0.1:1', token: `slc_${'x'.repeat(43)}` })).toBe(404); // not suggested
    expect(await raw(b, { type: 'peer.accept', url: c.url, token: 'not-a-token' })).toBe(400);
    expect(await raw(b, { type: 'peer.accept', url: 'ftp://nowhere', token: `slc_${'x'.repeat(43)}` })).toBe(400);
    expect(await raw(b, { type: 'peer.accept', url: c.url })).toBe(400); // no token
    expect(await raw(b, { type: 'peer.accept', url: c.url, token: `slc_${'x'.repeat(43)}`, name: 'Bad Name!' })).toBe(400);
    expect(await raw(b, { type: 'peer.dismiss', url: 'http://127.0.0.1:1' })).toBe(404);
    expect(await raw(b, { type: 'peer.dismiss' })).toBe(400);
    expect(await raw(a, { type: 'peer.set', name: 'c', introduce: 'yes' })).toBe(400);
    // Still suggested after the refusals, still not linked.
    expect((await suggestions(b)).some((l) => l.includes(c.url))).toBe(true);

    // An ordinary stream token asking for introductions: scope_required.
    const socket = io(`${b.url}/firehose`, { transports: ['websocket'], reconnection: false, auth: { token: b.token } });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', reject);
      });
      const answer = (await socket.timeout(5000).emitWithAck(INTRODUCTIONS_EVENT, {})) as { error?: { code: string } };
      expect(answer.error?.code).toBe('scope_required');
    } finally {
      socket.disconnect();
    }
  }, 60_000);

  it('the operator’s yes with a token from C links B to C; events then flow over it; a dismissed suggestion stays gone', async () => {
    // C's operator makes the link for B and hands over the token; B accepts the suggestion with it.
    const forB = await c.admin({ type: 'peer.add', name: 'b', url: b.url });
    const accepted = await b.admin({ type: 'peer.accept', url: c.url, token: forB.token! });
    expect(accepted.lines[0]).toContain('accepted the suggested peer');
    await c.admin({ type: 'peer.set', name: 'b', token: accepted.token! });
    await vi.waitFor(
      async () => {
        if ((await connectedLinks(b)) !== 2 || (await connectedLinks(c)) !== 2) throw new Error('b–c not connected yet');
      },
      { timeout: 60_000, interval: 500 },
    );
    expect((await suggestions(b)).some((l) => l.includes(c.url))).toBe(false); // linked: no longer a suggestion
    // An event of C reaches B (through C directly or A), once.
    const observer = new Observer(b);
    observer.connect();
    const v = `47.${randomInt(1, 250)}.1.1`;
    await c.submit('pub', [v]);
    await until(() => observer.count(v) > 0, 30_000, `${v} on b`, 100);
    await new Promise((r) => setTimeout(r, 2000));
    expect(observer.count(v)).toBe(1);
    observer.close();

    // C unlinks B: B is a suggestion again there (found by mDNS, and now introduced by A too). A
    // dismissal hides it for good, even while A keeps introducing it every gossip period.
    await c.admin({ type: 'peer.remove', name: 'b' });
    await a.admin({ type: 'peer.set', name: 'b', introduce: true });
    await vi.waitFor(
      async () => {
        const line = (await suggestions(c)).find((l) => l.includes(b.url));
        if (!introducers(line).includes('a')) throw new Error(`b not introduced by a on c: ${line}`);
      },
      { timeout: 60_000, interval: 1000 },
    );
    expect((await c.admin({ type: 'peer.dismiss', url: b.url })).lines[0]).toContain('will not be suggested again');
    await new Promise((r) => setTimeout(r, 4000));
    expect((await suggestions(c)).some((l) => l.includes(b.url))).toBe(false);
    expect((await c.admin({ type: 'peer.list' })).lines.some((l) => l.includes(b.url))).toBe(false);
  }, 180_000);
});
