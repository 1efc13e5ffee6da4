// The public views served from snapshots (server/page-snapshots.ts) by a real node: many requests
// per render, a fresh CSP nonce in every response, attacker-chosen query strings and paths adding
// no renders beyond the bound, ETag/304 and gzip, a new public indicator shown after the interval,
// and private (non-CLEAR) data never. Renders are counted from /metrics; nothing is timed.
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VISITOR_RENDERS_PER_INTERVAL } from '@/server/page-snapshots';
import { createAccount } from '../../helpers/fixtures';
import { startServer, type ServerProcess } from '../../helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingPostgres, type TestDatabase } from '../../helpers/test-env';

const INTERVAL_MS = 1000;
const run = randomBytes(3).toString('hex');
const PUBLIC_VALUE = `snapshot-public-${run}.secure-update.net`;
const LATER_VALUE = `snapshot-later-${run}.secure-update.net`;
const PRIVATE_VALUE = `snapshot-private-${run}.secure-update.net`;
const PRIVATE_TAG = `amber-only-${run}`;

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let server: ServerProcess;
let token = '';

async function renders(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return [...text.matchAll(/^sluice_page_snapshot_renders_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

async function submit(feed: string, items: unknown[]) {
  const res = await fetch(`${server.url}/api/v1/feeds/${feed}/indicators`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ indicators: items }),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

/** A raw GET (fetch would decompress and hide Content-Encoding). */
function rawGet(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpRequest(`${server.url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

const nonceOf = (csp: string) => /'nonce-([^']+)'/.exec(csp)?.[1];

/** Runs `count` GETs, `concurrency` at a time, returning their statuses and bodies. */
async function hammer(paths: (i: number) => string, count: number, concurrency = 16) {
  const out: { status: number; body: string; csp: string | null }[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const res = await fetch(`${server.url}${paths(next++)}`);
        out.push({ status: res.status, body: await res.text(), csp: res.headers.get('content-security-policy') });
      }
    }),
  );
  return out;
}

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  const account = await createAccount(t.db.prisma, {
    scopes: ['submit', 'read'],
    feeds: [
      { slug: `pub-${run}`, tlp: 'CLEAR' },
      { slug: `amber-${run}`, tlp: 'AMBER' },
    ],
  });
  token = account.token;
  // The test database is shared with the server process: close our handle on an embedded one.
  if (!usingPostgres) await t.db.close();
  server = await startServer({ ...t.env, ...engines.env, PUBLIC_SNAPSHOT_INTERVAL_MS: String(INTERVAL_MS) }, { timeoutMs: 120_000 });
  await submit(`pub-${run}`, [{ value: PUBLIC_VALUE, tags: ['phishing'] }]);
  await submit(`amber-${run}`, [{ value: PRIVATE_VALUE, tags: [PRIVATE_TAG] }, { value: PUBLIC_VALUE, tags: [PRIVATE_TAG] }]);
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await deleteRedisPrefix(engines);
  await engines.close();
  if (usingPostgres) await t.drop();
  else await t.drop().catch(() => undefined); // already closed above
});

describe('public page snapshots', () => {
  it('serves many requests per render, each with its own nonce on every script', async () => {
    await fetch(`${server.url}/threats`); // the first render
    const before = await renders();
    const started = Date.now();
    const results = await hammer(() => '/threats', 300);
    const intervals = Math.ceil((Date.now() - started) / INTERVAL_MS);
    const rendered = (await renders()) - before;
    expect(results.every((r) => r.status === 200)).toBe(true);
    // At most one render per interval elapsed (plus the one in flight), not one per request.
    expect(rendered).toBeLessThanOrEqual(intervals + 1);
    expect(rendered).toBeLessThan(300 / 10);
    const nonces = new Set(results.map((r) => nonceOf(r.csp ?? '')));
    expect(nonces.size).toBe(300);
    for (const r of results.slice(0, 20)) {
      const nonce = nonceOf(r.csp!);
      const attrs = [...r.body.matchAll(/nonce="([^"]*)"/g)].map((m) => m[1]);
      expect(attrs.length).toBeGreaterThan(0);
      expect(new Set(attrs)).toEqual(new Set([nonce]));
      // Next's scripts are all nonced: a script without the response's nonce would not run.
      const scripts = [...r.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
      expect(scripts.every((s) => s.includes(`nonce="${nonce}"`))).toBe(true);
    }
  });

  it('attacker-chosen query strings and paths add no renders beyond the bound', async () => {
    await fetch(`${server.url}/threats`);
    const before = await renders();
    const started = Date.now();
    const results = await hammer(
      (i) =>
        [
          `/threats?x=${i}&type=ipv4&_rsc=${i}`,
          `/threats/tag/random-${run}-${i}`,
          `/threats/ipv4/tag/random-${run}-${i}`,
          `/threats/junk-${i}/more/${i}`,
          `/threats/tag/${'%41'.repeat(i % 50)}x${i}`,
        ][i % 5],
      400,
    );
    const intervals = Math.ceil((Date.now() - started) / INTERVAL_MS) + 1;
    const rendered = (await renders()) - before;
    // Pinned keys touched: /threats and the one 404; visitor views: VISITOR_RENDERS_PER_INTERVAL
    // renders per interval at most, however many distinct views (320 here) were asked for.
    expect(rendered).toBeLessThanOrEqual(intervals * (2 + VISITOR_RENDERS_PER_INTERVAL));
    expect(rendered).toBeLessThan(320);
    expect(results.every((r) => [200, 404, 503].includes(r.status))).toBe(true);
    expect(results.some((r) => r.status === 404)).toBe(true);
    // A query string changes nothing: the same page as /threats.
    const plain = results.find((r, i) => i % 5 === 0)!;
    expect(plain.status).toBe(200);
    expect(plain.body).toContain(PUBLIC_VALUE.replaceAll('.', '[.]'));
  });

  it('answers If-None-Match with 304 (no policy) and gzip with the same page', async () => {
    const first = await rawGet('/threats');
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers['cache-control']).toBe('private, no-cache');
    const again = await rawGet('/threats', { 'if-none-match': etag });
    // The snapshot may have been re-rendered in between; then a 200 with a new ETag is right.
    if (again.status === 304) {
      expect(again.body.length).toBe(0);
      expect(again.headers['content-security-policy']).toBeUndefined();
    } else {
      expect(again.headers.etag).not.toBe(etag);
    }
    let saw304 = false;
    for (let i = 0; i < 20 && !saw304; i++) {
      const a = await rawGet('/threats');
      const b = await rawGet('/threats', { 'if-none-match': String(a.headers.etag) });
      saw304 = b.status === 304;
    }
    expect(saw304).toBe(true);
    const zipped = await rawGet('/threats', { 'accept-encoding': 'gzip' });
    expect(zipped.headers['content-encoding']).toBe('gzip');
    const html = gunzipSync(zipped.body).toString();
    const nonce = nonceOf(String(zipped.headers['content-security-policy']));
    expect(html).toContain(`nonce="${nonce}"`);
    expect(html).toContain('</html>');

    const json = await rawGet('/threats.json', { 'accept-encoding': 'gzip' });
    expect(json.headers['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(json.body).toString())).toBeTruthy();
    const json304 = await rawGet('/threats.json', { 'if-none-match': String(json.headers.etag) });
    expect([200, 304]).toContain(json304.status);
  });

  it('shows a newly reported public indicator after the interval, and never a private one', async () => {
    await fetch(`${server.url}/threats`);
    await submit(`pub-${run}`, [{ value: LATER_VALUE, tags: ['scanner'] }]);
    await submit(`amber-${run}`, [{ value: `later-${PRIVATE_VALUE}`, tags: [PRIVATE_TAG] }]);
    await expect
      .poll(async () => (await fetch(`${server.url}/threats`)).text(), { timeout: 20_000, interval: 200 })
      .toContain(LATER_VALUE.replaceAll('.', '[.]'));
    for (const path of ['/threats', '/threats/domain', '/threats.json', '/threats.csv', `/threats.json?tag=${PRIVATE_TAG}`, `/threats/tag/${PRIVATE_TAG}`]) {
      const res = await fetch(`${server.url}${path}`);
      const body = (await res.text()).replaceAll('[.]', '.');
      expect(body, path).not.toContain(PRIVATE_VALUE);
      // The tag is echoed where a visitor names it; elsewhere it must not appear.
      if (!path.includes(PRIVATE_TAG)) expect(body, path).not.toContain(PRIVATE_TAG);
    }
  });
});
