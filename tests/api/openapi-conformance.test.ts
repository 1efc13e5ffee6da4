// Every /api/v1 route answers within its OpenAPI description, for good and bad input: each answer
// against a started node is checked by the generated document (status declared, body matching
// its schema, error code listed for that status, rate-limit and Retry-After headers present).
import { describe, expect, it } from 'vitest';
import { API_CONTRACTS } from '@/lib/api-contract/registry';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';
import { createAccount } from '@/tests/helpers/fixtures';
import { OpenApiValidator } from '@/tests/helpers/openapi-validator';

let alice: { token: string };
let bob: { token: string };
let readOnly: { token: string };
let free: { token: string };
const spec = new OpenApiValidator();

const node = setUpSeededServer(async ({ db }) => {
  alice = await createAccount(db.prisma, { feeds: [{ slug: 'pub' }] });
  bob = await createAccount(db.prisma);
  readOnly = await createAccount(db.prisma, { scopes: ['read'] });
  free = await createAccount(db.prisma, { plan: 'free' });
}, { engineLog: true, hookTimeoutMs: 300_000 });

interface Call {
  method?: string;
  path: string;
  token?: string | null;
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** Sends a request and checks the answer against `method template`; returns the status and body. */
async function call(template: string, { method = 'GET', path, token = alice.token, json, text, headers = {} }: Call) {
  const res = await fetch(node.server.url + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(json !== undefined ? { 'content-type': 'application/json' } : text !== undefined ? { 'content-type': 'text/plain' } : {}),
      ...headers,
    },
    body: json !== undefined ? JSON.stringify(json) : text,
  });
  const body = (await spec.check(res, method, template)) as Record<string, unknown> & { error?: { code: string } };
  return { status: res.status, body, headers: res.headers };
}

const code = (r: { body: { error?: { code: string } } }) => r.body.error?.code;

describe('every /api/v1 route answers within its description', () => {
  it('feeds: create, list, read, change, delete', async () => {
    const T = '/api/v1/feeds';
    expect((await call(T, { method: 'POST', path: T, json: { slug: 'crud', name: 'CRUD', tlp: 'AMBER' } })).status).toBe(201);
    expect(code(await call(T, { method: 'POST', path: T, json: { slug: 'crud' } }))).toBe('feed_exists');
    expect(code(await call(T, { method: 'POST', path: T, json: { slug: 'Bad Slug!' } }))).toBe('invalid_request');
    expect(code(await call(T, { method: 'POST', path: T, text: 'slug' }))).toBe('unsupported_media_type');
    expect(code(await call(T, { method: 'POST', path: T, headers: { 'content-type': 'application/json' }, text: '{oops' }))).toBe('invalid_json');
    expect(code(await call(T, { method: 'POST', path: T, token: readOnly.token, json: { slug: 'x' } }))).toBe('scope_required');
    expect((await call(T, { path: T })).status).toBe(200);
    expect(code(await call(T, { path: T, token: null }))).toBe('invalid_token');
    expect(code(await call(T, { path: T, token: 'slc_notarealtoken' }))).toBe('invalid_token');

    const S = '/api/v1/feeds/{slug}';
    expect((await call(S, { path: '/api/v1/feeds/crud' })).status).toBe(200);
    expect(code(await call(S, { path: '/api/v1/feeds/crud', token: bob.token }))).toBe('feed_not_found');
    expect((await call(S, { method: 'PATCH', path: '/api/v1/feeds/crud', json: { tlp: 'CLEAR', description: 'now public' } })).status).toBe(200);
    expect(code(await call(S, { method: 'PATCH', path: '/api/v1/feeds/crud', json: {} }))).toBe('invalid_request');
    expect(code(await call(S, { method: 'PATCH', path: '/api/v1/feeds/nope', json: { name: 'x' } }))).toBe('feed_not_found');
    expect((await call(S, { method: 'DELETE', path: '/api/v1/feeds/crud' })).status).toBe(204);
    expect(code(await call(S, { method: 'DELETE', path: '/api/v1/feeds/crud' }))).toBe('feed_not_found');
    expect(code(await call(S, { path: '/api/v1/feeds/%00' }))).toBe('bad_request');
  });

  it('submissions: JSON and text, item rejections, idempotency, request errors', async () => {
    const T = '/api/v1/feeds/{slug}/indicators';
    const path = '/api/v1/feeds/pub/indicators';
    const ok = await call(T, {
      method: 'POST',
      path,
      json: { indicators: ['conformance-one.example-phish.net', { value: 'hxxp://conformance[.]example-phish.net/login', tags: ['phishing'], confidence: 80 }, '10.0.0.1', { value: 1 }] },
    });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ accepted: 2, rejected: 2 });
    const text = await call(T, { method: 'POST', path: `${path}?tags=scan,ssh&confidence=60`, text: '# comment\n45.83.64.1\nnot an indicator at all\n' });
    expect((text.body.results as { line?: number }[]).map((r) => r.line)).toEqual([2, 3]);
    const key = { 'idempotency-key': 'conformance-1' };
    const first = await call(T, { method: 'POST', path, json: { indicators: ['conformance-two.example-phish.net'] }, headers: key });
    const again = await call(T, { method: 'POST', path, json: { indicators: ['conformance-two.example-phish.net'] }, headers: key });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(code(await call(T, { method: 'POST', path, json: { indicators: ['other.example-phish.net'] }, headers: key }))).toBe('idempotency_key_reused');
    expect(code(await call(T, { method: 'POST', path, json: { indicators: ['x.example-phish.net'] }, headers: { 'idempotency-key': 'has space' } }))).toBe('invalid_idempotency_key');
    expect(code(await call(T, { method: 'POST', path, json: { indicators: [] } }))).toBe('invalid_request');
    expect(code(await call(T, { method: 'POST', path, json: { indicators: Array.from({ length: 1001 }, (_, i) => `h${i}.example-phish.net`) } }))).toBe('too_many_items');
    expect(code(await call(T, { method: 'POST', path, headers: { 'content-type': 'application/json' }, text: '' }))).toBe('invalid_json');
    expect(code(await call(T, { method: 'POST', path, headers: { 'content-type': 'application/xml' }, text: '<x/>' }))).toBe('unsupported_media_type');
    expect(code(await call(T, { method: 'POST', path: `${path}?confidence=high`, text: '45.83.64.2\n' }))).toBe('invalid_query');
    expect(code(await call(T, { method: 'POST', path: '/api/v1/feeds/nope/indicators', json: { indicators: ['y.example-phish.net'] } }))).toBe('feed_not_found');
    expect(code(await call(T, { method: 'POST', path, token: readOnly.token, json: { indicators: ['z.example-phish.net'] } }))).toBe('scope_required');

    const R = '/api/v1/feeds/{slug}/retractions';
    await call(T, { method: 'POST', path, json: { indicators: ['retract-me.example-phish.net'] } });
    const retracted = await call(R, { method: 'POST', path: '/api/v1/feeds/pub/retractions', json: { value: 'retract-me.example-phish.net', reason: 'our mistake' } });
    expect(retracted.body).toMatchObject({ retraction: { status: 'retracted' } });
    expect(code(await call(R, { method: 'POST', path: '/api/v1/feeds/pub/retractions', json: { value: 'retract-me.example-phish.net' } }))).toBe('invalid_request');
    expect(code(await call(R, { method: 'POST', path: '/api/v1/feeds/pub/retractions', json: { value: 'never.example-phish.net', reason: 'x' } }))).toBe('indicator_not_found');
  });

  it('search, check and disputes', async () => {
    const I = '/api/v1/indicators';
    const page = await call(I, { path: `${I}?limit=2` });
    expect(page.status).toBe(200);
    expect(page.body.next).toEqual(expect.any(String));
    expect((await call(I, { path: `${I}?limit=2&cursor=${page.body.next as string}&type=domain&tag=phishing` })).status).toBe(200);
    expect(code(await call(I, { path: `${I}?limit=0` }))).toBe('invalid_query');
    expect(code(await call(I, { path: `${I}?cursor=garbage` }))).toBe('invalid_cursor');
    expect(code(await call(I, { path: `${I}?feed=someone/else` }))).toBe('feed_not_found');

    const C = '/api/v1/check/{value}';
    const known = await call(C, { path: `/api/v1/check/${encodeURIComponent('http://conformance.example-phish.net/login')}` });
    expect(known.body).toMatchObject({ known: true });
    expect((await call(C, { path: '/api/v1/check/never-seen.example-phish.net?type=domain' })).body).toMatchObject({ known: false });
    expect(code(await call(C, { path: '/api/v1/check/not%20an%20indicator' }))).toBe('invalid_indicator');
    expect(code(await call(C, { path: '/api/v1/check/example.com?type=bogus' }))).toBe('invalid_query');

    const D = '/api/v1/indicators/{type}/{value}/disputes';
    const path = '/api/v1/indicators/domain/conformance-one.example-phish.net/disputes';
    expect((await call(D, { method: 'POST', path, token: bob.token, json: { reason: 'our own mail relay' } })).status).toBe(201);
    expect((await call(D, { method: 'POST', path, token: bob.token, json: { reason: 'again' } })).status).toBe(200);
    expect(code(await call(D, { method: 'POST', path, token: bob.token, json: {} }))).toBe('invalid_request');
    expect(code(await call(D, { method: 'POST', path: '/api/v1/indicators/bogus/x/disputes', json: { reason: 'x' } }))).toBe('invalid_type');
    expect(code(await call(D, { method: 'POST', path: '/api/v1/indicators/domain/never-seen.example-phish.net/disputes', json: { reason: 'x' } }))).toBe('indicator_not_found');
  });

  it('the HTTP stream: refusals as errors, the stream as SSE or NDJSON', async () => {
    const T = '/api/v1/stream';
    expect(code(await call(T, { path: T, token: null }))).toBe('invalid_token');
    expect(code(await call(T, { path: T, token: free.token }))).toBe('plan_required');
    expect(code(await call(T, { path: T, token: readOnly.token }))).toBe('scope_required');
    expect(code(await call(T, { path: `${T}?since=nonsense` }))).toBe('invalid_cursor');
    expect(code(await call(T, { path: `${T}?minConfidence=500` }))).toBe('invalid_request');
    for (const format of ['sse', 'ndjson']) {
      const controller = new AbortController();
      const res = await fetch(`${node.server.url}${T}?format=${format}`, { headers: { authorization: `Bearer ${alice.token}` }, signal: controller.signal });
      const op = spec.operation('GET', T);
      expect(res.status).toBe(200);
      expect(Object.keys(op.responses['200'].content!)).toContain((res.headers.get('content-type') ?? '').split(';')[0]);
      (spec.seen.get(op.operationId) ?? spec.seen.set(op.operationId, new Set()).get(op.operationId)!).add(200);
      controller.abort();
    }
  });

  it('the documents themselves', async () => {
    const doc = await call('/api/v1/openapi.json', { path: '/api/v1/openapi.json', token: null });
    expect(doc.body).toMatchObject({ openapi: '3.1.0' });
    expect((await call('/api/v1/asyncapi.json', { path: '/api/v1/asyncapi.json', token: null })).body).toMatchObject({ asyncapi: '3.0.0' });
    expect(code(await call('/api/v1/openapi.json', { path: '/api/v1/openapi.json?x=%FF', token: null }))).toBe('bad_request');
    expect(code(await call('/api/v1/asyncapi.json', { path: '/api/v1/asyncapi.json?x=%00', token: null }))).toBe('bad_request');
  });

  it('exports: the list, each format, a 304, unknown names, bad queries and bad tokens', async () => {
    const L = '/api/v1/exports';
    expect((await call(L, { path: L, token: null })).status).toBe(200);
    const E = '/api/v1/exports/{name}';
    const first = await call(E, { path: '/api/v1/exports/ipv4.txt', token: null });
    expect(first.status).toBe(200);
    expect(first.headers.get('sluice-export-tier')).toBe('free');
    const etag = first.headers.get('etag')!;
    expect((await call(E, { path: '/api/v1/exports/ipv4.txt', token: null, headers: { 'if-none-match': etag } })).status).toBe(304);
    for (const name of ['indicators.json', 'indicators.csv', 'rpz.zone', 'suricata.rules']) {
      expect((await call(E, { path: `/api/v1/exports/${name}` })).status).toBe(200);
    }
    expect(code(await call(E, { path: '/api/v1/exports/nope.txt', token: null }))).toBe('export_not_found');
    expect(code(await call(E, { path: '/api/v1/exports/ipv4.txt?days=2', token: null }))).toBe('invalid_query');
    expect(code(await call(E, { path: '/api/v1/exports/ipv4.txt', token: 'slc_notarealtoken' }))).toBe('invalid_token');
  });

  it('STIX: a bundle of public indicators and one indicator', async () => {
    const T = '/api/v1/stix/indicators';
    const O = '/api/v1/stix/indicators/{type}/{value}';
    // The STIX projection follows the firehose log, which the relay fills within a second.
    await expect.poll(async () => (await call(O, { path: `${T}/domain/conformance-one.example-phish.net` })).status, { timeout: 15_000 }).toBe(200);
    expect((await call(T, { path: `${T}?type=domain&limit=5` })).status).toBe(200);
    expect(code(await call(T, { path: `${T}?limit=abc` }))).toBe('invalid_query');
    expect(code(await call(O, { path: `${T}/domain/never-seen.example-phish.net` }))).toBe('indicator_not_found');
    expect(code(await call(O, { path: `${T}/nope/x` }))).toBe('invalid_type');
    expect(code(await call(T, { path: T, token: null }))).toBe('invalid_token');
  });

  it('webhooks: register, list, read, pause, test, replay, delete, and the refusals', async () => {
    const T = '/api/v1/webhooks';
    const S = '/api/v1/webhooks/{id}';
    // A public address literal: allowed without DNS (nothing listens there; deliveries just retry).
    const created = await call(T, { method: 'POST', path: T, json: { url: 'https://93.184.215.14/hook' } });
    expect(created.status).toBe(201);
    const hook = (created.body as unknown as { webhook: { id: string; cursor: string | null } }).webhook;
    expect(code(await call(T, { method: 'POST', path: T, json: { url: 'https://10.0.0.1/hook' } }))).toBe('url_not_allowed');
    expect(code(await call(T, { method: 'POST', path: T, json: { url: 'https://169.254.169.254/latest/meta-data/' } }))).toBe('url_not_allowed');
    expect(code(await call(T, { method: 'POST', path: T, json: { url: 'http://93.184.215.14/hook' } }))).toBe('https_required');
    expect(code(await call(T, { method: 'POST', path: T, json: { url: 'nope' } }))).toBe('invalid_url');
    expect((await call(T, { path: T })).status).toBe(200);
    expect(code(await call(T, { path: T, token: readOnly.token }))).toBe('scope_required');
    expect((await call(S, { path: `${T}/${hook.id}` })).status).toBe(200);
    expect(code(await call(S, { path: `${T}/${hook.id}`, token: bob.token }))).toBe('not_found');
    expect((await call(S, { method: 'PATCH', path: `${T}/${hook.id}`, json: { paused: true } })).status).toBe(200);
    expect(code(await call(S, { method: 'PATCH', path: `${T}/${hook.id}`, json: { paused: 'yes' } }))).toBe('invalid_request');
    const TT = '/api/v1/webhooks/{id}/test';
    expect((await call(TT, { method: 'POST', path: `${T}/${hook.id}/test` })).status).toBe(202);
    expect(code(await call(TT, { method: 'POST', path: `${T}/${hook.id}/test`, token: bob.token }))).toBe('not_found');
    const R = '/api/v1/webhooks/{id}/replay';
    expect(hook.cursor).not.toBeNull(); // the submissions above are in the log: a webhook starts at its head
    expect((await call(R, { method: 'POST', path: `${T}/${hook.id}/replay`, json: { since: hook.cursor } })).status).toBe(200);
    expect(code(await call(R, { method: 'POST', path: `${T}/${hook.id}/replay`, json: { since: 'garbage' } }))).toBe('invalid_cursor');
    expect((await call(S, { method: 'DELETE', path: `${T}/${hook.id}` })).status).toBeLessThan(300);
    expect(code(await call(S, { method: 'DELETE', path: `${T}/${hook.id}` }))).toBe('not_found');
  });

  it('rate limits: 429 with Retry-After and X-RateLimit-* once the plan’s minute is used', async () => {
    const T = '/api/v1/feeds';
    const heavy = free.token; // the free plan: 60 requests a minute
    let last = await call(T, { path: T, token: heavy });
    expect(Number(last.headers.get('x-ratelimit-limit'))).toBe(60);
    for (let i = 0; i < 70 && last.status !== 429; i++) last = await call(T, { path: T, token: heavy });
    expect(code(last)).toBe('rate_limited');
  });

  it('covered a good and a bad answer of every operation', () => {
    const missing = API_CONTRACTS.filter((c) => {
      const statuses = [...(spec.seen.get(c.operationId) ?? [])];
      const needsBad = c.scope !== null || c.path.endsWith('.json');
      return !statuses.some((s) => s < 300) || (needsBad && !statuses.some((s) => s >= 400));
    }).map((c) => `${c.method} ${c.path} (seen: ${[...(spec.seen.get(c.operationId) ?? [])].join(', ') || 'nothing'})`);
    expect(missing).toEqual([]);
  });
});
