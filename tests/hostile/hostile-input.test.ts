// The hostile-input suite: every public path and query parameter of the site and the API (read from
// app/), each fed a NUL, invalid UTF-8, malformed `%`, numbers at the edges, 1 MB values and the
// naughty strings of tests/fixtures, against a real node on the production build. Never a 5xx,
// every /api error in `{ error: { code, message } }`, and the node's memory and the .next folder
// bounded afterwards (anonymous junk must not fill the disk or the heap).
import { readFileSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createApiToken } from '@/lib/tokens';
import { createUser } from '@/tests/integration/ingest/helpers';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';

const ROOT = path.resolve(import.meta.dirname, '../..');
const NAUGHTY = readFileSync(path.join(ROOT, 'tests/fixtures/naughty-strings.txt'), 'utf8')
  .split('\n')
  .filter((line) => line !== '' && !line.startsWith('#'));

/** Raw, already-encoded values: what a browser or fetch would refuse or normalise. */
const RAW_VALUES = [
  '%00', 'a%00b', '%00%00%00', // NUL
  '%ff', '%C0%AF', '%ED%A0%80', '%F4%90%80%80', '%E0%A4%A', // invalid UTF-8: stray byte, overlong, surrogate, > U+10FFFF, truncated
  '%', '%%', '%zz', 'abc%', '%2', // malformed %
  '99999999999999999999999', '9223372036854775808', '-9223372036854775809', '-1', '0', '1e308', '-1e308', 'NaN', 'Infinity', '0x7fffffff', '1.5',
  '',
];
const MEGABYTE = 'a'.repeat(1024 * 1024);

let tokens: string[] = [];
let nextToken = 0;
const token = () => tokens[nextToken++ % tokens.length];

async function dirBytes(dir: string): Promise<{ bytes: number; files: number }> {
  let bytes = 0;
  let files = 0;
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const sub = await dirBytes(p);
      bytes += sub.bytes;
      files += sub.files;
    } else if (entry.isFile()) {
      bytes += (await stat(p)).size;
      files += 1;
    }
  }
  return { bytes, files };
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

interface Answer {
  status: number;
  type: string;
  body: string;
}

/** One request with the target exactly as given (no normalisation). A refused connection is status 0. */
function send(method: string, target: string, headers: Record<string, string> = {}, body?: string | Buffer): Promise<Answer> {
  const { hostname, port } = new URL(node.server.url);
  return new Promise((resolve) => {
    const req = request({ host: hostname, port, method, path: target, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 4096) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString().slice(0, 4096) }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, type: '', body: '' }));
    });
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (error) => resolve({ status: 0, type: '', body: String(error) }));
    req.end(body);
  });
}

interface Probe {
  method: string;
  target: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** The public surface, as templates: `{}` is replaced by the (encoded) hostile value. */
function probesFor(value: string, decoded: string | null, pages: boolean): Probe[] {
  const auth = () => ({ authorization: `Bearer ${token()}` });
  const json = (body: unknown) => ({ headers: { ...auth(), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const probes: Probe[] = [
    { method: 'GET', target: `/api/v1/feeds/${value}`, headers: auth() },
    { method: 'GET', target: `/api/v1/check/${value}`, headers: auth() },
    ...['type', 'tag', 'feed', 'since', 'cursor', 'limit', `x${value}`].map((p) => ({ method: 'GET', target: `/api/v1/indicators?${p}=${value}`, headers: auth() })),
    { method: 'GET', target: `/api/v1/check/example.com?type=${value}`, headers: auth() },
    { method: 'GET', target: `/api/account/token?action=${value}`, headers: auth() },
    { method: 'GET', target: `/api/${value}` },
    { method: 'POST', target: `/api/admin/jobs/dead-letters/${value}`, headers: { 'content-type': 'application/json' }, body: '{"action":"retry"}' },
    { method: 'POST', target: `/api/v1/feeds/${value}/indicators`, ...json({ indicators: ['evil.example-hostile.net'] }) },
    { method: 'POST', target: `/api/v1/feeds/${value}/retractions`, ...json({ value: 'evil.example-hostile.net', reason: 'x' }) },
    { method: 'POST', target: `/api/v1/indicators/domain/${value}/disputes`, ...json({ reason: 'x' }) },
    { method: 'POST', target: `/api/v1/indicators/${value}/x/disputes`, ...json({ reason: 'x' }) },
    ...['tags', 'confidence', 'type', 'reference'].map((p) => ({
      method: 'POST',
      target: `/api/v1/feeds/pub/indicators?${p}=${value}`,
      headers: { ...auth(), 'content-type': 'text/plain' },
      body: 'hostile-text.example-hostile.net\n',
    })),
    // Outbound webhooks (docs/webhooks.md).
    { method: 'GET', target: `/api/v1/webhooks/${value}`, headers: auth() },
    { method: 'DELETE', target: `/api/v1/webhooks/${value}`, headers: auth() },
    { method: 'PATCH', target: `/api/v1/webhooks/${value}`, ...json({ paused: true }) },
    { method: 'POST', target: `/api/v1/webhooks/${value}/replay`, ...json({ since: '1-1' }) },
    { method: 'POST', target: `/api/v1/webhooks/${value}/test`, headers: auth() },
    { method: 'GET', target: `/api/v1/webhooks?x=${value}`, headers: auth() },
    { method: 'GET', target: `/threats.json?type=${value}` },
    { method: 'GET', target: `/threats.json?tag=${value}` },
    { method: 'GET', target: `/threats.csv?tag=${value}` },
    { method: 'GET', target: `/threats/search?type=${value}&tag=${value}` },
    ...stixAndTaxiiProbes(value, auth),
    { method: 'GET', target: `/api/v1/exports/${value}` },
    ...['tag', 'feed', 'minConfidence', 'days', 'type'].map((p) => ({ method: 'GET', target: `/api/v1/exports/ipv4.txt?${p}=${value}`, headers: auth() })),
  ];
  if (decoded !== null) {
    // The same strings inside JSON bodies: item values and tags, feed slugs and names.
    probes.push(
      { method: 'POST', target: '/api/v1/feeds/pub/indicators', ...json({ indicators: [decoded, { value: decoded, tags: [decoded], description: decoded, reference: decoded }] }) },
      { method: 'POST', target: '/api/v1/feeds', ...json({ slug: decoded, name: decoded }) },
      { method: 'PATCH', target: '/api/v1/feeds/pub', ...json({ description: decoded }) },
      { method: 'POST', target: '/api/v1/webhooks', ...json({ url: decoded, filters: { tags: [decoded] } }) },
      { method: 'POST', target: '/api/v1/webhooks', ...json({ url: 'ftp://x', filters: { feeds: [decoded], types: [decoded] } }) },
      { method: 'POST', target: '/api/v1/webhooks/00000000-0000-4000-8000-000000000000/replay', ...json({ since: decoded }) },
      { method: 'POST', target: '/api/v1/feeds/pub/retractions', ...json({ value: decoded, type: decoded, reason: decoded }) },
      { method: 'POST', target: '/api/v1/indicators/domain/example.com/disputes', ...json({ reason: decoded }) },
    );
  }
  if (pages) {
    probes.push(
      { method: 'GET', target: `/threats/${value}` },
      { method: 'GET', target: `/threats/tag/${value}` },
      { method: 'GET', target: `/threats/url/tag/${value}` },
      { method: 'GET', target: `/threats?tag=${value}` },
      { method: 'GET', target: `/i/${value}/x` },
      { method: 'GET', target: `/i/domain/${value}` },
      { method: 'GET', target: `/i/url/${value}` },
      { method: 'GET', target: `/login?callbackUrl=${value}` },
      { method: 'GET', target: `/signup?callbackUrl=${value}` },
      { method: 'GET', target: `/docs?q=${value}` },
      { method: 'GET', target: `/docs/api/assets/${value}` },
      { method: 'GET', target: `/threats/search?q=${value}` },
      { method: 'GET', target: `/threats/search?before=${value}` },
      { method: 'GET', target: `/feeds/${value}` },
      { method: 'GET', target: `/reset-password?token=${value}` },
      { method: 'GET', target: `/verify-email?token=${value}` },
    );
  }
  return probes;
}

/** STIX bundles (/api/v1/stix) and the TAXII 2.1 server (/taxii2, errors in the TAXII shape). */
function stixAndTaxiiProbes(value: string, auth: () => Record<string, string>): Probe[] {
  const objects = '/taxii2/sluice/collections/all/objects/';
  return [
    ...['type', 'tag', 'feed', 'since', 'cursor', 'limit', `x${value}`].map((p) => ({ method: 'GET', target: `/api/v1/stix/indicators?${p}=${value}`, headers: auth() })),
    { method: 'GET', target: `/api/v1/stix/indicators/${value}/x`, headers: auth() },
    { method: 'GET', target: `/api/v1/stix/indicators/domain/${value}`, headers: auth() },
    { method: 'GET', target: `/taxii2/${value}/`, headers: auth() },
    { method: 'GET', target: `/taxii2/sluice/collections/${value}/`, headers: auth() },
    { method: 'GET', target: `/taxii2/sluice/collections/${value}/objects/`, headers: auth() },
    { method: 'GET', target: `${objects}${value}/`, headers: auth() },
    { method: 'GET', target: `${objects}${value}/versions/`, headers: auth() },
    ...['added_after', 'limit', 'next', 'match[type]', 'match[id]', 'match[version]', 'match[spec_version]', `x${value}`].map((p) => ({ method: 'GET', target: `${objects}?${p}=${value}`, headers: auth() })),
    { method: 'GET', target: `/taxii2/sluice/collections/all/manifest/?next=${value}&limit=${value}`, headers: auth() },
    { method: 'POST', target: objects, headers: { ...auth(), 'content-type': 'application/taxii+json;version=2.1' }, body: value },
  ];
}

interface Failure {
  probe: string;
  status: number;
  why: string;
  body: string;
}

function judge(probe: Probe, answer: Answer): string | null {
  if (answer.status === 0) return `no answer (${answer.body.slice(0, 80)})`;
  if (answer.status >= 500) return `${answer.status}`;
  const isApi = probe.target.startsWith('/api/') || probe.target === '/api';
  if (isApi && answer.status >= 400) {
    if (!/^application\/json/.test(answer.type)) return `an /api error in ${answer.type || 'no content type'}`;
    try {
      const body = JSON.parse(answer.body) as { error?: { code?: unknown; message?: unknown } };
      if (typeof body.error?.code !== 'string' || typeof body.error?.message !== 'string') return 'an /api error without { error: { code, message } }';
    } catch {
      return 'an /api error that is not JSON';
    }
  }
  if (probe.target.startsWith('/taxii2') && answer.status >= 400) {
    if (!/^application\/taxii\+json/.test(answer.type)) return `a TAXII error in ${answer.type || 'no content type'}`;
    try {
      const body = JSON.parse(answer.body) as { title?: unknown; http_status?: unknown };
      if (typeof body.title !== 'string' || body.http_status !== String(answer.status)) return 'a TAXII error without { title, http_status }';
    } catch {
      return 'a TAXII error that is not JSON';
    }
  }
  return null;
}

async function runAll(probes: Probe[], concurrency: number): Promise<{ failures: Failure[]; statuses: Map<number, number> }> {
  const failures: Failure[] = [];
  const statuses = new Map<number, number>();
  let i = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (i < probes.length) {
        const probe = probes[i++];
        const answer = await send(probe.method, probe.target, probe.headers, probe.body);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const why = judge(probe, answer);
        if (why) failures.push({ probe: `${probe.method} ${probe.target.slice(0, 160)}`, status: answer.status, why, body: answer.body.slice(0, 200) });
      }
    }),
  );
  return { failures, statuses };
}

const report = (failures: Failure[]) => failures.slice(0, 25).map((f) => `${f.probe} → ${f.why}: ${f.body}`).join('\n');

let nextBefore: { bytes: number; files: number };
let rssBefore: number;

const node = setUpSeededServer(
  async ({ db }) => {
    const user = await createUser(db, 'firehose');
    // Several tokens, so that the per-token rate limit (600 a minute) lets the probes through.
    tokens = await Promise.all(Array.from({ length: 16 }, async (_, n) => (await createApiToken(db.prisma, { userId: user.id, name: `hostile-${n}`, scopes: ['read', 'submit', 'stream'] })).token));
  },
  {
    // The default HOST (every interface), as an operator runs it.
    env: { HOST: '0.0.0.0' },
    hookTimeoutMs: 180_000,
    afterStart: async ({ server }) => {
      const feed = await send('POST', '/api/v1/feeds', { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' }, JSON.stringify({ slug: 'pub' }));
      expect(feed.status).toBe(201);
      await send('POST', '/api/v1/feeds/pub/indicators', { authorization: `Bearer ${tokens[0]}`, 'content-type': 'text/plain' }, 'seen.example-hostile.net\n45.83.64.1\n');
      // Warm the routes up once, then measure.
      await runAll(probesFor('warm', 'warm', true), 4);
      nextBefore = await dirBytes(path.join(ROOT, '.next'));
      rssBefore = rssBytes(server.child.pid!);
    },
  },
);
describe('hostile input on every public path and parameter', () => {
  it('NUL, invalid UTF-8, malformed %, edge numbers: never a 5xx, /api errors always JSON', async () => {
    const started = performance.now();
    const probes = RAW_VALUES.flatMap((v) => {
      let decoded: string | null = null;
      try {
        decoded = decodeURIComponent(v);
      } catch {
        decoded = null;
      }
      return probesFor(v, decoded, true);
    });
    const { failures, statuses } = await runAll(probes, 8);
    console.log(`[hostile] encodings and numbers: ${probes.length} requests in ${Math.round(performance.now() - started)} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures, report(failures)).toEqual([]);
  }, 400_000); // a bound on a hang, not a speed target: a loaded 2-core machine needs minutes

  it(`${NAUGHTY.length} naughty strings: never a 5xx, /api errors always JSON`, async () => {
    const started = performance.now();
    // Every string on every probe would be ~10,000 requests: each string goes to the core API
    // probes and to a rotating eighth of the others, and every tenth string to the rendered pages.
    const core = /^(GET \/api\/v1\/(check|feeds)\/|GET \/api\/v1\/indicators\?(tag|feed|cursor)=|POST \/api\/v1\/feeds\/pub\/indicators$)/;
    const probes = NAUGHTY.flatMap((s, n) =>
      probesFor(encodeURIComponent(s), s, n % 10 === 0).filter((p, k) => core.test(`${p.method} ${p.target}`) || (k + n) % 8 === 0),
    );
    const { failures, statuses } = await runAll(probes, 8);
    console.log(`[hostile] naughty strings: ${probes.length} requests in ${Math.round(performance.now() - started)} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(failures, report(failures)).toEqual([]);
  }, 400_000); // likewise

  it('1 MB values: in a path or query (refused by the parser: 431, JSON on /api) and in bodies (413 or per-item rejection)', async () => {
    const probes: Probe[] = [
      { method: 'GET', target: `/api/v1/check/${MEGABYTE}`, headers: { authorization: `Bearer ${token()}` } },
      { method: 'GET', target: `/api/v1/indicators?tag=${MEGABYTE}`, headers: { authorization: `Bearer ${token()}` } },
      { method: 'GET', target: `/threats/tag/${MEGABYTE}` },
      { method: 'GET', target: `/threats.json?tag=${MEGABYTE}` },
      { method: 'GET', target: `/i/domain/${MEGABYTE}` },
      { method: 'GET', target: '/api/v1/indicators', headers: { authorization: `Bearer ${token()}`, 'x-junk': MEGABYTE } },
      {
        method: 'POST',
        target: '/api/v1/feeds/pub/indicators',
        headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ indicators: [MEGABYTE.slice(0, 1024 * 1024 - 64)] }),
      },
      { method: 'POST', target: '/api/v1/feeds/pub/indicators', headers: { authorization: `Bearer ${token()}`, 'content-type': 'text/plain' }, body: MEGABYTE + MEGABYTE },
      { method: 'POST', target: '/api/v1/feeds', headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' }, body: JSON.stringify({ slug: MEGABYTE }) },
      { method: 'POST', target: '/api/billing/webhook', headers: { 'stripe-signature': 't=1,v1=x' }, body: MEGABYTE + MEGABYTE },
      { method: 'POST', target: '/api/auth/callback/credentials', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `email=${MEGABYTE}&password=${MEGABYTE}` },
      { method: 'POST', target: '/signup', headers: { 'next-action': 'x', 'content-type': 'text/plain' }, body: MEGABYTE },
    ];
    const answers: string[] = [];
    for (const probe of probes) {
      const answer = await send(probe.method, probe.target, probe.headers, probe.body);
      answers.push(`${probe.method} ${probe.target.slice(0, 40)}… → ${answer.status}`);
      // A body refused early may reach the client as a closed connection: never a 5xx either way.
      if (answer.status === 0 && probe.body) continue;
      expect(judge(probe, answer), `${probe.method} ${probe.target.slice(0, 60)} → ${answer.status} ${answer.body.slice(0, 200)}`).toBeNull();
    }
    console.log(`[hostile] 1 MB values:\n  ${answers.join('\n  ')}`);
  });

  it('keeps /metrics for operators: without METRICS_TOKEN it answers loopback callers only', async () => {
    expect((await send('GET', '/metrics')).status).toBe(200);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (!external) return console.log('[hostile] no non-loopback interface: the remote /metrics check is skipped');
    const port = new URL(node.server.url).port;
    const res = await fetch(`http://${external.address}:${port}/metrics`);
    expect(res.status).toBe(403);
  });

  it('text others read or the database stores, in JSON bodies: NUL, unpaired surrogates, bidirectional, invisible and C1 controls are 400 and write nothing', async () => {
    const headers = { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json' };
    // NUL and an unpaired surrogate cannot be stored (PostgreSQL's text and jsonb); the others disguise how text displays.
    const BAD = ['a\u0000b', 'a\ud800b', '\u202eevil', 'zero\u200bwidth', 'c1\u0085control', 'esc\u001b[31m'];
    const feedBefore = JSON.parse((await send('GET', '/api/v1/feeds/pub', headers)).body) as unknown;
    const failures: string[] = [];
    for (const bad of BAD) {
      const probes: [string, string, unknown][] = [
        ['POST', '/api/v1/feeds', { slug: 'hostile-text', name: bad }],
        ['POST', '/api/v1/feeds', { slug: 'hostile-text', description: bad }],
        ['PATCH', '/api/v1/feeds/pub', { name: bad }],
        ['PATCH', '/api/v1/feeds/pub', { description: bad }],
        // a public value of this user's own feed: the reason is what gets checked
        ['POST', '/api/v1/indicators/domain/seen.example-hostile.net/disputes', { reason: bad }],
        ['POST', '/api/v1/feeds/pub/retractions', { value: 'seen.example-hostile.net', reason: bad }],
        ['POST', '/api/v1/webhooks', { url: 'https://hooks.example-hostile.net/sluice', filters: { tags: [bad] } }],
        ['POST', '/api/v1/webhooks', { url: 'https://hooks.example-hostile.net/sluice', filters: { feeds: [bad] } }],
      ];
      for (const [method, target, body] of probes) {
        const answer = await send(method, target, headers, JSON.stringify(body));
        const code = answer.status === 400 ? (JSON.parse(answer.body) as { error: { code: string } }).error.code : null;
        if (code !== 'invalid_request') failures.push(`${method} ${target} ${JSON.stringify(body)} → ${answer.status} ${answer.body.slice(0, 160)}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    // Nothing was written: no feed, no webhook, the value neither retracted nor disputed.
    expect((await send('GET', '/api/v1/feeds/hostile-text', headers)).status).toBe(404);
    expect(JSON.parse((await send('GET', '/api/v1/webhooks', headers)).body)).toMatchObject({ webhooks: [] });
    expect(JSON.parse((await send('GET', '/api/v1/feeds/pub', headers)).body)).toEqual(feedBefore);
    expect(JSON.parse((await send('GET', '/api/v1/check/seen.example-hostile.net', headers)).body)).toMatchObject({ known: true });
  });

  it('methods Next cannot route, malformed next-auth bodies and uploads cut off at the bound: 4xx, and no error in the log', async () => {
    const isError = (line: string) => /"level":50|⨯|Premature close/.test(line);
    const errorsBefore = node.server.logs.filter(isError).length;
    for (const target of ['/', '/threats', '/api/v1/feeds', '/api/v1/exports/ipv4.txt', '/taxii2/', '/i/domain/seen.example-hostile.net']) {
      const answer = await send('TRACE', target);
      expect(answer.status, `TRACE ${target}: ${answer.body}`).toBe(405);
      expect(judge({ method: 'TRACE', target }, answer)).toBeNull();
    }
    for (const target of ['/api/auth/callback/credentials', '/api/auth/signin/credentials', '/api/auth/signout', '/api/auth/session']) {
      const answer = await send('POST', target, { 'content-type': 'application/json' }, '{');
      expect(answer.status, `${target}: ${answer.body}`).toBe(400);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_json' } });
    }
    // Chunked (no Content-Length): refused with 413 once 1 MB has arrived, the rest cut off.
    for (const target of ['/api/v1/feeds/pub/indicators', '/api/auth/callback/credentials']) {
      const answer = await send('POST', target, { authorization: `Bearer ${tokens[0]}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, `{"indicators":["${'a'.repeat(3 * 1024 * 1024)}"]}`);
      expect([0, 413], `${target}: ${answer.status} ${answer.body.slice(0, 120)}`).toContain(answer.status);
    }
    await new Promise((resolve) => setTimeout(resolve, 500)); // the handlers' failed reads come after the answer
    const errors = node.server.logs.filter(isError).slice(errorsBefore);
    expect(errors, errors.join('\n')).toEqual([]);
  });

  it("a callbackUrl next-auth would throw on, in the query, a form or its cookie: never a 5xx, and the cookie is deleted", async () => {
    const bad = ['foo', 'javascript:alert(1)', '%2F%2Fevil.example', 'http://'];
    for (const value of bad) {
      for (const target of [`/api/auth/signin?callbackUrl=${encodeURIComponent(value)}`, `/api/auth/providers?callbackUrl=${encodeURIComponent(value)}`, `/api/auth/csrf?callbackUrl=${encodeURIComponent(value)}`]) {
        const answer = await send('GET', target);
        expect(answer.status, `${target}: ${answer.body.slice(0, 120)}`).toBeLessThan(500);
      }
      const signOut = await send('POST', '/api/auth/signout', { 'content-type': 'application/x-www-form-urlencoded' }, `callbackUrl=${encodeURIComponent(value)}`);
      expect(signOut.status, `signout ${value}`).toBeLessThan(500);
      for (const target of ['/api/auth/session', '/dashboard', '/settings', '/threats']) {
        const answer = await send('GET', target, { cookie: `next-auth.callback-url=${encodeURIComponent(value)}; other=1` });
        expect(answer.status, `${target} with the cookie ${value}: ${answer.body.slice(0, 120)}`).toBeLessThan(500);
      }
    }
    // A page tells the browser to forget the cookie.
    const { hostname, port } = new URL(node.server.url);
    const setCookieFor = (cookie: string) =>
      new Promise<string[]>((resolve, reject) => {
        request({ host: hostname, port, path: '/login', headers: { cookie }, agent: false }, (res) => {
          res.resume();
          resolve(res.headers['set-cookie'] ?? []);
        })
          .on('error', reject)
          .end();
      });
    const setCookie = await setCookieFor('next-auth.callback-url=foo');
    expect(setCookie.some((c) => /^next-auth\.callback-url=;.*Max-Age=0/i.test(c)), setCookie.join('\n')).toBe(true);
    // The cookie next-auth itself writes (its base URL, here another spelling of this host) is left
    // alone: a deletion on a server action's answer re-renders the page the action ran on.
    for (const own of [`http://127.0.0.1:${port}`, `http://localhost:${port}/dashboard`]) {
      expect(await setCookieFor(`next-auth.callback-url=${encodeURIComponent(own)}`), own).toEqual([]);
    }
  });

  it('leaves the node healthy, its memory and the .next folder bounded', async () => {
    expect((await send('GET', '/api/health')).status).toBe(200);
    const nextAfter = await dirBytes(path.join(ROOT, '.next'));
    const rssAfter = rssBytes(node.server.child.pid!);
    const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
    console.log(
      `[hostile] node RSS ${mb(rssBefore)} → ${mb(rssAfter)}; .next ${mb(nextBefore.bytes)} (${nextBefore.files} files) → ${mb(nextAfter.bytes)} (${nextAfter.files} files)`,
    );
    expect(rssAfter, 'the node grew by more than 400 MB').toBeLessThan(rssBefore + 400 * 1048576);
    // Thousands of distinct anonymous URLs: the disk cache may hold a bounded set, not one file each.
    expect(nextAfter.bytes - nextBefore.bytes, '.next grew by more than 10 MB').toBeLessThan(10 * 1048576);
    expect(nextAfter.files - nextBefore.files, '.next gained more than 300 files').toBeLessThan(300);
  });
});
