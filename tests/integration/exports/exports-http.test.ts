// Exports, search and the feeds catalogue over HTTP on a real node (needs a production build): the
// formats' bodies and content types, 304s for pollers, the Free tier's delay against the Firehose
// tier, 4xx JSON for bad input, and public pages that name owners by display name only.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowListFromConfig, ingestIndicators } from '@/lib/ingest';
import { createTrustPolicy } from '@/lib/trust/policy';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { createUserWithToken, makeFeed } from '@/tests/integration/ingest/helpers';

const hasBuild = existsSync(path.resolve(import.meta.dirname, '../../../.next/BUILD_ID'));
const DELAY_SECONDS = 4;
let t: TestDatabase;
let server: ServerProcess;
let engines: ReturnType<typeof createTestEngines>;
let firehose: { token: string; user: { id: string; email: string } };
let free: { token: string };
let submitOnly: { token: string };

beforeAll(async () => {
  if (!hasBuild) return;
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  firehose = await createUserWithToken(t.db, 'firehose');
  free = await createUserWithToken(t.db, 'free');
  submitOnly = await createUserWithToken(t.db, 'firehose', ['submit']);
  await makeFeed(t.db, firehose.user.id, 'pub');
  await makeFeed(t.db, firehose.user.id, 'mine', 'RED');
  const deps = { sql: t.db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }), trust: createTrustPolicy({}) };
  const old = new Date(Date.now() - 3600_000).toISOString();
  await ingestIndicators(deps, { ownerId: firehose.user.id, feed: 'pub', items: [{ value: '45.83.64.1', tags: ['ssh'] }, { value: 'evil.example-phish.net', tags: ['phishing'] }, '8.8.8.8'] });
  await ingestIndicators(deps, { ownerId: firehose.user.id, feed: 'mine', items: [{ value: 'private-only.example-phish.org', reportedAt: old }] });
  // Backdate the public ones past the Free tier's delay (as if reported a while ago).
  await t.db.sql.query(`UPDATE sightings SET created_at = now() - interval '1 hour'`);
  if (t.db.kind === 'embedded') await t.db.close();
  server = await startServer({ ...t.env, ...engines.env, EXPORTS_INTERVAL_SECONDS: '1', EXPORTS_FREE_DELAY_SECONDS: String(DELAY_SECONDS), EXPORTS_ANONYMOUS_PER_MINUTE: '0' });
}, 180_000);
afterAll(async () => {
  await server?.stop();
  if (engines) await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop().catch(() => undefined);
});

const get = (p: string, headers: Record<string, string> = {}) => fetch(server.url + p, { headers, redirect: 'manual' });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.skipIf(!hasBuild)('exports over HTTP', () => {
  it('serves each format with its content type; never private or held values', async () => {
    const cases: [string, RegExp, string][] = [
      ['ipv4.txt', /^text\/plain/, '45.83.64.1\n'],
      ['domain.txt', /^text\/plain/, 'evil.example-phish.net\n'],
      ['indicators.csv', /^text\/csv/, 'ipv4,45.83.64.1,'],
      ['indicators.json', /^application\/json/, '"value":"45.83.64.1"'],
      ['rpz.zone', /^text\/dns/, '\nevil.example-phish.net CNAME .\n'],
      ['suricata.rules', /^text\/plain/, 'alert ip $HOME_NET any <> [45.83.64.1] any'],
      ['snort.rules', /^text\/plain/, '|04|evil|0d|example-phish|03|net|00|'],
    ];
    for (const [name, type, expected] of cases) {
      for (const headers of [{}, bearer(firehose.token)]) {
        const res = await get(`/api/v1/exports/${name}`, headers);
        expect(res.status, name).toBe(200);
        expect(res.headers.get('content-type')).toMatch(type);
        const body = await res.text();
        expect(body, name).toContain(expected);
        for (const never of ['private-only', '8.8.8.8', firehose.user.email, firehose.user.id]) expect(body, name).not.toContain(never);
      }
    }
    const index = await (await get('/api/v1/exports')).json();
    expect(index.exports.map((e: { name: string }) => e.name)).toEqual(expect.arrayContaining(['ipv4.txt', 'rpz.zone', 'suricata.rules']));
  });

  it('answers 304 to a matching If-None-Match or If-Modified-Since, 200 to a stale one', async () => {
    const first = await get('/api/v1/exports/ipv4.txt?tag=ssh');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect(first.headers.get('cache-control')).toMatch(/public, max-age=1/);
    expect((await get('/api/v1/exports/ipv4.txt?tag=ssh', { 'if-none-match': etag })).status).toBe(304);
    expect((await get('/api/v1/exports/ipv4.txt?tag=ssh', { 'if-none-match': `"other", ${etag}` })).status).toBe(304);
    expect((await get('/api/v1/exports/ipv4.txt?tag=ssh', { 'if-modified-since': lastModified })).status).toBe(304);
    expect((await get('/api/v1/exports/ipv4.txt?tag=ssh', { 'if-none-match': '"stale"' })).status).toBe(200);
    // Another interval later, the same content keeps its validators.
    await new Promise((r) => setTimeout(r, 2500));
    await get('/api/v1/exports/ipv4.txt?tag=ssh');
    expect((await get('/api/v1/exports/ipv4.txt?tag=ssh', { 'if-none-match': etag })).status).toBe(304);
  });

  it('gives the Free tier (anonymous, free plan) the data as of its delay, the Firehose tier the current data', async () => {
    const submitted = Date.now();
    const res = await fetch(`${server.url}/api/v1/feeds/pub/indicators`, {
      method: 'POST',
      headers: { ...bearer(firehose.token), 'content-type': 'text/plain' },
      body: '45.83.64.99\n',
    });
    expect(res.status).toBe(200);
    const has = async (headers: Record<string, string>) => {
      const r = await get('/api/v1/exports/ipv4.txt', headers);
      return { tier: r.headers.get('sluice-export-tier'), listed: (await r.text()).split('\n').includes('45.83.64.99') };
    };
    await expect.poll(() => has(bearer(firehose.token)), { timeout: 20_000, interval: 200 }).toEqual({ tier: 'firehose', listed: true });
    const seenByFirehose = Date.now();
    // Anonymous and free-plan callers: not before the delay has passed since it was recorded.
    const early = await has({});
    if (Date.now() - submitted < DELAY_SECONDS * 1000) expect(early).toEqual({ tier: 'free', listed: false });
    expect((await has(bearer(free.token))).tier).toBe('free');
    await expect.poll(() => has({}), { timeout: 30_000, interval: 250 }).toEqual({ tier: 'free', listed: true });
    const seenByFree = Date.now();
    expect(seenByFree - submitted).toBeGreaterThanOrEqual(DELAY_SECONDS * 1000);
    console.log(`[exports] firehose tier listed it after ${seenByFirehose - submitted} ms, the free tier after ${seenByFree - submitted} ms (delay ${DELAY_SECONDS} s)`);
  });

  it('refuses bad input with a 4xx JSON error, never a 5xx', async () => {
    const cases: [string, Record<string, string>, number, string][] = [
      ['/api/v1/exports/nope.txt', {}, 404, 'export_not_found'],
      ['/api/v1/exports/ipv4.txt?minConfidence=7', {}, 400, 'invalid_query'],
      ['/api/v1/exports/ipv4.txt?days=365', {}, 400, 'invalid_query'],
      ['/api/v1/exports/rpz.zone?type=url', {}, 400, 'invalid_query'],
      ['/api/v1/exports/ipv4.txt?feed=..%2F..', {}, 400, 'invalid_query'],
      ['/api/v1/exports/ipv4.txt?tag=%00', {}, 400, 'bad_request'], // refused at the edge (server/http.ts)
      ['/api/v1/exports/ipv4.txt?tag=' + 'x'.repeat(100), {}, 400, 'invalid_query'],
      ['/api/v1/exports/ipv4.txt', bearer('slc_notatoken'), 401, 'invalid_token'],
      // Credentials that are sent are never ignored (answered as anonymous, the free tier):
      ['/api/v1/exports/ipv4.txt', { authorization: 'Bearer ' }, 401, 'invalid_token'],
      ['/api/v1/exports/ipv4.txt', { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` }, 401, 'invalid_token'],
      ['/api/v1/exports/ipv4.txt', bearer(submitOnly.token), 403, 'scope_required'],
    ];
    for (const [p, headers, status, code] of cases) {
      const res = await get(p, headers);
      expect(res.status, p).toBe(status);
      expect((await res.json()).error.code, p).toBe(code);
    }
  });
});

describe.skipIf(!hasBuild)('served from snapshots at the edge', () => {
  it('exports: gzip and identity bodies agree, HEAD has no body, the site headers are there', async () => {
    const plain = await get('/api/v1/exports/indicators.json', { 'accept-encoding': 'identity' });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('x-frame-options')).toBe('DENY');
    expect(plain.headers.get('vary')).toMatch(/Authorization/);
    const text = await plain.text();
    const head = await fetch(server.url + '/api/v1/exports/indicators.json', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(plain.headers.get('etag'));
    expect(await head.text()).toBe('');
    // fetch asks for gzip and inflates it: the same text.
    expect(await (await get('/api/v1/exports/indicators.json')).text()).toBe(text);
  });

  it('/feeds and a search: one snapshot per interval (same ETag), a fresh CSP nonce in every response', async () => {
    for (const p of ['/feeds', '/threats/search?q=example-phish', '/threats/search']) {
      const a = await get(p);
      const b = await get(p);
      expect(a.status, p).toBe(200);
      expect(b.status, p).toBe(200);
      expect(a.headers.get('etag'), p).toMatch(/^W\/"/); // a snapshot's (Next's own are strong)
      const nonce = (r: Response) => /'nonce-([^']+)'/.exec(r.headers.get('content-security-policy') ?? '')?.[1];
      expect(nonce(a), p).toBeTruthy();
      expect(nonce(a), p).not.toBe(nonce(b));
      const [ta, tb] = [await a.text(), await b.text()];
      expect(ta).toContain(`nonce="${nonce(a)}"`);
      expect(tb).toContain(`nonce="${nonce(b)}"`);
      if (a.headers.get('etag') !== b.headers.get('etag')) continue; // an interval ended between the two
      expect(ta.replaceAll(nonce(a)!, '')).toBe(tb.replaceAll(nonce(b)!, ''));
    }
    const found = await (await get('/threats/search?q=example-phish')).text();
    expect(found).toContain('evil[.]example-phish[.]net');
    expect(found).not.toContain('private-only');
  });
});

describe.skipIf(!hasBuild)('search and feeds pages', () => {
  it('/feeds and a feed page show the display name, never the e-mail or user id', async () => {
    const list = await get('/feeds');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toMatch(/reporter-[0-9a-f]{12}/);
    expect(html).not.toContain(firehose.user.email);
    expect(html).not.toContain(firehose.user.id);
    expect(html).not.toContain('>mine<');
    const feedPath = /href="(\/feeds\/[0-9a-f-]{36})"/.exec(html)?.[1];
    expect(feedPath).toBeDefined();
    const page = await (await get(feedPath!)).text();
    expect(page).toContain('npx sluice stream --feeds pub');
    expect(page).toContain('45[.]83[.]64[.]1');
    expect(page).not.toContain(firehose.user.id);
    expect(page).not.toContain(firehose.user.email);
    expect((await get(`/feeds/${firehose.user.id}`)).status).toBe(404);
    expect((await get('/feeds/not-a-uuid')).status).toBe(404);
    expect((await get(`${feedPath}?before=garbage`)).status).toBe(404);
  });

  it('/threats/search takes defanged input, pages without a query, and still redirects the filter form', async () => {
    const res = await get('/threats/search?q=' + encodeURIComponent('hxxp://evil[.]example-phish[.]net'));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('evil[.]example-phish[.]net');
    expect(html).not.toContain('private-only');
    const browse = await (await get('/threats/search')).text();
    expect(browse).toContain('45[.]83[.]64[.]1');
    expect(browse).not.toContain('8[.]8[.]8[.]8');
    expect((await get('/threats/search?before=garbage')).status).toBe(404);
    expect((await get('/threats/search?before=%00')).status).toBe(400);
    const form = await get('/threats/search?type=ipv4&tag=');
    expect([303, 307, 308]).toContain(form.status);
    expect(form.headers.get('location')).toMatch(/\/threats\/ipv4$/);
  });
});
