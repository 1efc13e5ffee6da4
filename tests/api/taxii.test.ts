// The TAXII 2.1 server and the STIX routes over HTTP against a started node: a client walk
// (discovery → collections → objects paged 10 at a time with `next`) while new indicators and new
// sightings of old ones arrive sees every object version exactly once; manifest, objects/{id},
// versions and the match[] filters; 401/403/406 and hostile input in the TAXII error shape.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, vi } from 'vitest';
import { bundleErrors, stixErrors } from '@/tests/integration/stix/stix-validator';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';
import { createAccount } from '@/tests/helpers/fixtures';

const TAXII = 'application/taxii+json;version=2.1';
let alice: { id: string; token: string };
let streamOnly: string;
let feedId: string;
let submitted = 0;

const node = setUpSeededServer(async ({ db }) => {
  const a = await createAccount(db.prisma, { plan: 'firehose', scopes: ['read', 'submit'], feeds: [{ slug: 'honeypot', name: 'Honeypot' }, { slug: 'other' }] });
  alice = { id: a.user.id, token: a.token };
  feedId = a.feeds[0].id;
  streamOnly = (await createAccount(db.prisma, { plan: 'firehose', scopes: ['stream'] })).token;
}, { engineLog: true, startTimeoutMs: 240_000, hookTimeoutMs: 300_000 });

/** Waits (polling every 200 ms) until an asynchronous condition holds. */
async function eventually(predicate: () => Promise<boolean>, timeoutMs: number, what: string) {
  await vi.waitFor(async () => {
    if (!(await predicate())) throw new Error(`timed out waiting for ${what}`);
  }, { timeout: timeoutMs, interval: 200 });
}

const basic = (token: string, user = 'anyone') => `Basic ${Buffer.from(`${user}:${token}`).toString('base64')}`;

function taxii(path: string, { auth = basic(alice.token), accept = TAXII as string | null } = {}) {
  const headers: Record<string, string> = {};
  if (auth) headers.authorization = auth;
  if (accept !== null) headers.accept = accept;
  return fetch(node.server.url + path, { headers, redirect: 'manual' });
}

async function submit(feed: string, lines: string[]) {
  const res = await fetch(`${node.server.url}/api/v1/feeds/${feed}/indicators`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' },
    body: lines.join('\n') + '\n',
  });
  expect(res.status).toBe(200);
  submitted += lines.length;
}

const fresh = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag}-${submitted + i}.example-taxii.net`);

interface Envelope {
  more?: boolean;
  next?: string;
  objects?: { id: string; type: string; modified?: string; created?: string }[];
}

async function expectTaxiiError(res: Response, status: number) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe(TAXII);
  const body = (await res.json()) as { title: string; http_status: string; description: string };
  expect(body).toMatchObject({ http_status: String(status) });
  expect(body.title.length).toBeGreaterThan(2);
  return body;
}

const ALL = '/taxii2/sluice/collections/all/';

describe('TAXII 2.1', () => {
  it('walks discovery → collections → objects 10 at a time while indicators arrive, seeing every object version exactly once', async () => {
    await submit('honeypot', fresh(25, 'walk'));
    await eventually(async () => ((await (await taxii(`${ALL}manifest/?limit=1000`)).json()) as Envelope).objects?.length === 2 + 50, 30_000, 'the first 25 indicators projected');

    const discovery = await taxii('/taxii2/');
    expect(discovery.status).toBe(200);
    expect(discovery.headers.get('content-type')).toBe(TAXII);
    const d = (await discovery.json()) as { api_roots: string[]; default: string };
    expect(d.api_roots).toHaveLength(1);
    expect(d.api_roots[0]).toMatch(/^https?:\/\/[^/]+\/taxii2\/sluice\/$/);
    expect(d.default).toBe(d.api_roots[0]);
    const rootPath = new URL(d.api_roots[0]).pathname;
    const root = (await (await taxii(rootPath)).json()) as { versions: string[] };
    expect(root.versions).toEqual([TAXII]);
    const { collections } = (await (await taxii(`${rootPath}collections/`)).json()) as { collections: { id: string; alias?: string; can_read: boolean; can_write: boolean; media_types: string[] }[] };
    const all = collections.find((c) => c.alias === 'all')!;
    expect(all).toMatchObject({ can_read: true, can_write: false, media_types: ['application/stix+json;version=2.1'] });
    expect(collections.map((c) => c.id)).toContain(feedId);

    // The walk: every page, new indicators and new sightings of values already seen arrive.
    const seen = new Map<string, number>(); // "id@version" → times
    const latest = new Map<string, string>();
    let lastAdded = '';
    let next: string | undefined;
    let pages = 0;
    const walk = async (query: string) => {
      const res = await taxii(`${rootPath}collections/${all.id}/objects/?limit=10${query}`);
      expect(res.status).toBe(200);
      const env = (await res.json()) as Envelope;
      for (const o of env.objects ?? []) {
        expect(stixErrors(o)).toEqual([]);
        const key = `${o.id}@${o.modified ?? o.created}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        latest.set(o.id, o.modified ?? o.created ?? '');
      }
      if (env.objects?.length) {
        expect(env.objects.length).toBeLessThanOrEqual(10);
        lastAdded = res.headers.get('x-taxii-date-added-last')!;
        expect(res.headers.get('x-taxii-date-added-first')).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      }
      return env;
    };
    let env = await walk('');
    for (;;) {
      pages++;
      if (pages <= 6) {
        await submit('honeypot', fresh(3, 'during'));
        await submit('other', ['walk-0.example-taxii.net']); // a new sighting (a new version) of a value already seen
      }
      if (!env.more) break;
      next = env.next;
      expect(next).toBeTruthy();
      env = await walk(`&next=${encodeURIComponent(next!)}`);
    }
    // Then, as a TAXII client polls: everything added after the last page, once it is all in.
    const expectedIndicators = submitted - 6; // the 6 re-sightings name one value already counted
    await eventually(
      async () => (((await (await taxii(`${ALL}manifest/?match[type]=indicator&limit=1000`)).json()) as Envelope).objects?.length ?? 0) === expectedIndicators,
      30_000,
      'every submitted indicator projected',
    );
    next = undefined;
    const since = lastAdded;
    do {
      env = await walk(`&added_after=${encodeURIComponent(since)}${next ? `&next=${encodeURIComponent(next)}` : ''}`);
      next = env.next;
    } while (env.more);

    expect([...seen.values()].filter((n) => n > 1)).toEqual([]);
    // Every object, at its current version, was seen.
    const manifest = (await (await taxii(`${ALL}manifest/?limit=1000`)).json()) as { objects: { id: string; version: string; date_added: string }[] };
    expect(manifest.objects.length).toBe(2 + expectedIndicators + expectedIndicators + 1); // identity, marking, indicators, their honeypot sightings, walk-0's "other" sighting
    for (const m of manifest.objects) expect(seen.has(`${m.id}@${m.version}`), `${m.id}@${m.version}`).toBe(true);
    const added = manifest.objects.map((m) => m.date_added);
    expect([...added].sort()).toEqual(added);
    expect(new Set(added).size).toBe(added.length - 1); // only the identity and the marking share one
  }, 180_000);

  it('serves one object, its versions, match[] filters and a feed collection', async () => {
    const manifest = (await (await taxii(`${ALL}manifest/?match[type]=indicator&limit=1`)).json()) as { objects: { id: string; version: string }[] };
    const { id, version } = manifest.objects[0];
    const one = (await (await taxii(`${ALL}objects/${id}/`)).json()) as Envelope;
    expect(one.objects!.map((o) => o.id)).toEqual([id]);
    expect(await (await taxii(`${ALL}objects/${id}/versions/`)).json()).toEqual({ more: false, versions: [version] });
    expect(((await (await taxii(`${ALL}objects/${id}/?match[version]=${encodeURIComponent(version)}`)).json()) as Envelope).objects).toHaveLength(1);
    expect(await (await taxii(`${ALL}objects/${id}/?match[version]=2001-01-01T00:00:00.000Z`)).json()).toEqual({});
    const byId = (await (await taxii(`${ALL}objects/?match[id]=${id}`)).json()) as Envelope;
    expect(byId.objects!.map((o) => o.id)).toEqual([id]);
    const types = (await (await taxii(`${ALL}objects/?match[type]=identity,marking-definition`)).json()) as Envelope;
    expect(types.objects!.map((o) => o.type).sort()).toEqual(['identity', 'marking-definition']);
    await expectTaxiiError(await taxii(`${ALL}objects/indicator--00000000-0000-5000-8000-000000000000/`), 404);
    await expectTaxiiError(await taxii(`${ALL}objects/indicator--00000000-0000-5000-8000-000000000000/versions/`), 404);

    const feed = (await (await taxii(`/taxii2/sluice/collections/${feedId}/objects/?limit=1000`)).json()) as Envelope & { objects: { type: string; id: string }[] };
    const feedOther = (await (await taxii(`/taxii2/sluice/collections/${(await collectionIdOf('other'))}/objects/?limit=1000`)).json()) as Envelope;
    expect(feedOther.objects!.filter((o) => o.type === 'indicator')).toHaveLength(1);
    expect(feed.objects.filter((o) => o.type === 'indicator').length).toBe(submitted - 6);
    expect(await (await taxii(`${ALL}objects/?added_after=2999-01-01T00:00:00Z`)).json()).toEqual({});
  });

  it('answers 401, 403, 406 and hostile input in the TAXII error shape, with Basic or Bearer', async () => {
    const none = await expectTaxiiError(await taxii('/taxii2/', { auth: '' }), 401);
    expect(none.description).toMatch(/Basic/);
    expect((await taxii('/taxii2/', { auth: '' })).headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    await expectTaxiiError(await taxii('/taxii2/', { auth: basic('slc_not-a-real-token') }), 401);
    await expectTaxiiError(await taxii('/taxii2/', { auth: basic(streamOnly) }), 403);
    expect((await taxii('/taxii2/', { auth: `Bearer ${alice.token}` })).status).toBe(200);
    expect((await taxii('/taxii2/', { auth: basic(alice.token, '') })).status).toBe(200);
    for (const accept of ['application/json', 'text/html', 'application/taxii+json;version=2.0', 'application/taxii+json;q=0']) {
      await expectTaxiiError(await taxii('/taxii2/', { accept }), 406);
    }
    for (const accept of [null, '*/*', 'application/taxii+json', 'text/html, application/taxii+json;version=2.1;q=0.5']) {
      expect((await taxii('/taxii2/', { accept })).status, String(accept)).toBe(200);
    }
    expect((await taxii('/taxii2')).status).toBe(200); // no redirect either way
    for (const bad of ['?limit=0', '?limit=x', '?next=nope', '?added_after=yesterday', '?match[type]=BAD TYPE', '?match[version]=latest', '?bogus=1', '?limit=1&limit=2']) {
      await expectTaxiiError(await taxii(`${ALL}objects/${bad}`), 400);
    }
    // Timestamps of the right shape that name no instant (Date.parse would roll Feb 30 over; the database refuses it).
    for (const when of ['2026-02-30T00:00:00Z', '2026-04-31T00:00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T10:00:60Z', '0000-01-01T00:00:00Z']) {
      for (const path of [`${ALL}objects/?added_after=${when}`, `${ALL}manifest/?added_after=${when}`, `${ALL}objects/?match[version]=${when}`]) {
        await expectTaxiiError(await taxii(path), 400);
      }
    }
    await expectTaxiiError(await taxii('/taxii2/sluice/collections/00000000-0000-4000-8000-000000000000/objects/'), 404);
    await expectTaxiiError(await taxii('/taxii2/elsewhere/'), 404);
    await expectTaxiiError(await fetch(`${node.server.url}${ALL}objects/`, { method: 'POST', headers: { authorization: basic(alice.token), 'content-type': TAXII }, body: '{}' }), 405);
    await expectTaxiiError(await taxii(`${ALL}objects/%ff/`), 400);
  });
});

async function collectionIdOf(slug: string): Promise<string> {
  const { collections } = (await (await taxii('/taxii2/sluice/collections/')).json()) as { collections: { id: string; description?: string }[] };
  return collections.find((c) => c.description?.includes(`"${slug}"`))!.id;
}

describe('STIX over REST', () => {
  it('serves bundles with Link paging and one indicator, validating against the OASIS schemas', async () => {
    const api = (path: string) => fetch(node.server.url + path, { headers: { authorization: `Bearer ${alice.token}` } });
    let res = await api('/api/v1/stix/indicators?limit=5&type=domain');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/stix+json;version=2.1');
    const first = (await res.json()) as { type: string; id: string; objects: { type: string }[] };
    expect(bundleErrors(first)).toEqual([]);
    expect(first.objects.filter((o) => o.type === 'indicator')).toHaveLength(5);
    const link = res.headers.get('link')!;
    expect(link).toMatch(/^<\/api\/v1\/stix\/indicators\?limit=5&type=domain&cursor=[\w-]+>; rel="next"$/);
    res = await api(link.slice(1, link.indexOf('>')));
    expect(bundleErrors((await res.json()) as { type: string })).toEqual([]);
    res = await api('/api/v1/stix/indicators/domain/walk-1.example-taxii.net');
    expect(res.status).toBe(200);
    expect(bundleErrors((await res.json()) as { type: string })).toEqual([]);
    res = await api('/api/v1/stix/indicators/domain/never.example-taxii.net');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('indicator_not_found');
    expect((await api('/api/v1/stix/indicators?cursor=zzz')).status).toBe(400);
    expect((await fetch(`${node.server.url}/api/v1/stix/indicators`)).status).toBe(401);
  });
});

describe('sluice export', () => {
  const run = (args: string[], token = alice.token) =>
    promisify(execFile)(process.execPath, ['bin/sluice.mjs', 'export', ...args], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: { ...process.env, SLUICE_URL: node.server.url, SLUICE_TOKEN: token },
      maxBuffer: 64 * 1024 * 1024,
    });

  it('writes one valid STIX bundle across pages, and csv / txt of what the token can see', async () => {
    const stix = JSON.parse((await run(['--format', 'stix', '--type', 'domain'])).stdout) as { type: string; objects: { type: string; id: string }[] };
    expect(bundleErrors(stix)).toEqual([]);
    expect(stix.objects.filter((o) => o.type === 'indicator')).toHaveLength(submitted - 6);
    expect(stix.objects.filter((o) => o.type === 'identity')).toHaveLength(1);
    expect(new Set(stix.objects.map((o) => o.id)).size).toBe(stix.objects.length);
    const txt = (await run(['--format', 'txt', '--tag', 'nope-no-such-tag'])).stdout;
    expect(txt).toBe('');
    const csv = (await run(['--format', 'csv'])).stdout.trim().split('\r\n');
    expect(csv[0]).toBe('type,value,tags,confidence,sightings,first_seen,last_seen,feeds');
    expect(csv).toHaveLength(1 + submitted - 6);
    const lines = (await run(['--format', 'txt'])).stdout.trim().split('\n');
    expect(lines).toContain('walk-0.example-taxii.net');
    await expect(run(['--format', 'txt'], 'slc_invalid')).rejects.toMatchObject({ code: 3 });
    await expect(run(['--format', 'xml'])).rejects.toMatchObject({ code: expect.any(Number) });
  }, 300_000);
});
