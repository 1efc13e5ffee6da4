// The REST API over HTTP against a started node: feeds CRUD, submissions (JSON and text), search,
// check, and hostile input — always a 4xx with { error: { code, message } }, never a 500, nothing partial.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { createUserWithToken } from '@/tests/integration/ingest/helpers';

let t: TestDatabase;
let server: ServerProcess;
let engines: ReturnType<typeof createTestEngines>;
let alice: { user: { id: string }; token: string };
let bob: { user: { id: string }; token: string };

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  alice = await createUserWithToken(t.db, 'firehose');
  bob = await createUserWithToken(t.db, 'firehose');
  // An embedded database belongs to one process: hand it to the server (state is then read over HTTP).
  if (t.db.kind === 'embedded') await t.db.close();
  server = await startServer({ ...t.env, ...engines.env, NEVER_PUBLISH_DOMAINS: 'goodcorp.com' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop().catch(() => undefined);
});

function api(path: string, init: RequestInit & { token?: string } = {}) {
  const { token = alice.token, ...rest } = init;
  return fetch(server.url + path, { ...rest, headers: { authorization: `Bearer ${token}`, ...(rest.headers ?? {}) } });
}
const json = (body: unknown, token?: string, method = 'POST'): RequestInit & { token?: string } => ({
  method,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json' },
  ...(token ? { token } : {}),
});

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  const body = (await res.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
}

describe('feeds', () => {
  it('creates, lists, reads, updates and deletes the caller\'s feeds', async () => {
    let res = await api('/api/v1/feeds', json({ slug: 'crud', name: 'CRUD feed', tlp: 'AMBER' }));
    expect(res.status).toBe(201);
    expect((await res.json()).feed).toMatchObject({ slug: 'crud', name: 'CRUD feed', tlp: 'AMBER', public: false, owner: alice.user.id });
    await expectError(await api('/api/v1/feeds', json({ slug: 'crud' })), 409, 'feed_exists');
    await expectError(await api('/api/v1/feeds', json({ slug: 'Bad Slug!' })), 400, 'invalid_request');
    res = await api('/api/v1/feeds');
    expect((await res.json()).feeds.map((f: { slug: string }) => f.slug)).toContain('crud');
    res = await api('/api/v1/feeds/crud', json({ tlp: 'CLEAR' }, undefined, 'PATCH'));
    expect((await res.json()).feed).toMatchObject({ tlp: 'CLEAR', public: true });
    await expectError(await api('/api/v1/feeds/crud', { token: bob.token }), 404, 'feed_not_found');
    expect((await api('/api/v1/feeds/crud', { method: 'DELETE' })).status).toBe(204);
    await expectError(await api('/api/v1/feeds/crud'), 404, 'feed_not_found');
  });

  it('needs a token (401) with the right scope (403)', async () => {
    await expectError(await fetch(server.url + '/api/v1/feeds'), 401, 'invalid_token');
  });
});

describe('submissions', () => {
  beforeAll(async () => {
    await api('/api/v1/feeds', json({ slug: 'pub' }));
    await api('/api/v1/feeds', json({ slug: 'priv', tlp: 'RED' }));
    await api('/api/v1/feeds', json({ slug: 'bobs-private', tlp: 'RED' }, bob.token));
  });

  it('accepts a JSON batch with per-item outcomes, keeping the valid items', async () => {
    const res = await api(
      '/api/v1/feeds/pub/indicators',
      json({ indicators: [{ value: 'hxxps://api-test[.]com/login', tags: ['phish'] }, { value: '192.168.1.1' }, { value: 'mail.goodcorp.com' }, { value: 'd41d8cd98f00b204e9800998ecf8427f', confidence: 99 }] }),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ feed: 'pub', public: true, accepted: 2, rejected: 2 });
    expect(body.results[0]).toMatchObject({ index: 0, status: 'accepted', type: 'url', value: 'https://api-test.com/login', kind: 'new' });
    expect(body.results[1]).toMatchObject({ index: 1, status: 'rejected', input: '192.168.1.1', code: 'never_publish' });
    expect(body.results[2]).toMatchObject({ status: 'rejected', code: 'never_publish' });
    expect(body.results[3]).toMatchObject({ status: 'accepted', type: 'md5' });
  });

  it('accepts text/plain, one per line, ignoring # comments, with line numbers', async () => {
    const text = '# my list\n1.1.1.1\n\n  # indented comment\nnot-valid\nexample-text-sub.org\r\n';
    const res = await api('/api/v1/feeds/priv/indicators?tags=scan,ssh&confidence=60', { method: 'POST', body: text, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toMatchObject({ public: false, accepted: 2, rejected: 1 });
    expect(body.results.map((r: { line: number }) => r.line)).toEqual([2, 5, 6]);
    expect(body.results[0]).not.toHaveProperty('kind');
  });

  it('searches and checks: public data plus own private data, never another user\'s private data', async () => {
    await api('/api/v1/feeds/bobs-private/indicators', json({ indicators: ['bob-secret.net', 'api-test.com'] }, bob.token));
    let res = await api('/api/v1/check/' + encodeURIComponent('bob-secret.net'));
    // Unknown to alice: bob's private sighting leaves no trace, not even in the analysis state.
    expect(await res.json()).toEqual({
      known: false,
      indicator: { type: 'domain', value: 'bob-secret.net' },
      analysis: { status: 'pending', findings: [], updatedAt: null },
    });
    res = await api('/api/v1/check/' + encodeURIComponent('bob-secret.net'), { token: bob.token });
    expect(await res.json()).toMatchObject({ known: true, sightings: 1, feeds: [{ slug: 'bobs-private', owner: bob.user.id }] });
    res = await api('/api/v1/check/' + encodeURIComponent('hxxps://api-test[.]com/login'), { token: bob.token });
    expect(await res.json()).toMatchObject({ known: true, indicator: { type: 'url' }, tags: ['phish'], feeds: [{ slug: 'pub', owner: alice.user.id }] });
    res = await api('/api/v1/check/1.1.1.1', { token: bob.token });
    expect((await res.json()).known).toBe(false);
    res = await api('/api/v1/check/1.1.1.1');
    expect(await res.json()).toMatchObject({ known: true, tags: ['scan', 'ssh'], confidence: 60 });
    await expectError(await api('/api/v1/check/' + encodeURIComponent('<script>')), 422, 'invalid_indicator');

    res = await api('/api/v1/indicators?limit=500', { token: bob.token });
    const values = (await res.json()).indicators.map((x: { value: string }) => x.value);
    expect(values).toContain('bob-secret.net');
    expect(values).toContain('https://api-test.com/login');
    expect(values).not.toContain('1.1.1.1');
    res = await api('/api/v1/indicators?limit=1');
    const page = await res.json();
    expect(page.indicators).toHaveLength(1);
    expect(typeof page.next).toBe('string');
    res = await api(`/api/v1/indicators?limit=500&cursor=${page.next}`);
    const rest = (await res.json()).indicators.map((x: { value: string }) => x.value);
    expect(rest.length).toBeGreaterThan(0);
    expect(rest).not.toContain(page.indicators[0].value);
    res = await api('/api/v1/indicators?type=ipv4');
    expect((await res.json()).indicators.map((x: { value: string }) => x.value)).toEqual(['1.1.1.1']);
    await expectError(await api('/api/v1/indicators?feed=' + bob.user.id + '/bobs-private'), 404, 'feed_not_found');
    await expectError(await api('/api/v1/indicators?since=yesterday'), 400, 'invalid_query');
    // A parameter given twice is refused, not read as one of its values; an unknown one is named as a query's.
    for (const path of ['/api/v1/indicators?type=ipv4&type=domain', '/api/v1/stix/indicators?tag=a&tag=b', '/api/v1/check/1.1.1.1?type=ipv4&type=ipv6']) {
      const twice = await api(path);
      expect(twice.status, path).toBe(400);
      expect(await twice.json(), path).toMatchObject({ error: { code: 'invalid_query', message: expect.stringMatching(/give it at most once/) } });
    }
    const unknown = await api('/api/v1/indicators?colour=red');
    expect(await unknown.json()).toMatchObject({ error: { code: 'invalid_query', message: expect.stringMatching(/^query: .*colour/) } });
  });
});

describe('hostile input', () => {
  /** Everything alice can see, with sighting counts: what a partial write would change. */
  const counts = async () => {
    const seen: string[] = [];
    let cursor = '';
    do {
      const page = await (await api(`/api/v1/indicators?limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json();
      for (const x of page.indicators) seen.push(`${x.type}:${x.value}:${x.sightings}`);
      cursor = page.next ?? '';
    } while (cursor);
    return seen;
  };

  it('answers 4xx with a clear code, never a 500, and writes nothing', async () => {
    const before = await counts();
    const post = (body: BodyInit, contentType = 'application/json', path = '/api/v1/feeds/pub/indicators') =>
      api(path, { method: 'POST', body, headers: { 'content-type': contentType } });
    await expectError(await post('{"indicators": [{"value": "a.com"},'), 400, 'invalid_json');
    await expectError(await post(''), 400, 'invalid_json');
    await expectError(await post('[1,2,3]'), 400, 'invalid_request');
    await expectError(await post('{"indicators": "1.2.3.4"}'), 400, 'invalid_request');
    await expectError(await post('{"indicators": []}'), 400, 'invalid_request');
    await expectError(await post(JSON.stringify({ indicators: Array.from({ length: 1001 }, (_, i) => `h${i}.com`) })), 413, 'too_many_items');
    await expectError(await post(Array.from({ length: 1001 }, (_, i) => `h${i}.com`).join('\n'), 'text/plain'), 413, 'too_many_items');
    await expectError(await post('x'.repeat(10 * 1024 * 1024)), 413, 'body_too_large');
    await expectError(await post('a.com', 'application/xml'), 415, 'unsupported_media_type');
    await expectError(await post('a.com', 'text/plain; charset=latin1'), 415, 'unsupported_media_type');
    await expectError(await post(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, 'invalid_utf8');
    await expectError(await post('{"indicators": ["a.com"]}', 'application/json', '/api/v1/feeds/nope/indicators'), 404, 'feed_not_found');
    await expectError(await post('{"indicators": ["a.com"]}', 'application/json', '/api/v1/feeds/bobs-private/indicators'), 404, 'feed_not_found');
    await expectError(await post('{"indicators": ["a.com"]}', 'application/json', `/api/v1/feeds/${encodeURIComponent("x'; DROP TABLE feeds;--")}/indicators`), 404, 'feed_not_found');
    await expectError(await api('/api/v1/feeds/pub/indicators', { method: 'POST', body: '{"indicators":["a.com"]}', headers: { 'content-type': 'application/json' }, token: 'slc_' + 'A'.repeat(43) }), 401, 'invalid_token');
    expect(await counts()).toEqual(before);
  });

  it('rejects hostile items one by one and keeps the rest', async () => {
    const res = await api(
      '/api/v1/feeds/pub/indicators',
      json({
        indicators: [
          { value: "evil.com'; DROP TABLE indicators;--" },
          { value: '<script>alert(1)</script>.com' },
          { value: 'ctl\u0000char.com' },
          { value: 'bidi\u202eexe.com' },
          { value: 'ok-after-hostile.com', tags: ['<b>x</b>'] },
          { value: 'ok-after-hostile.com', description: 'nul\u0000byte' },
          { value: 'ok-after-hostile.com', confidence: 'high' },
          { value: ['array'] },
          null,
          { value: 'ok-after-hostile.com', reportedAt: '2999-01-01T00:00:00Z' },
          { value: 'x'.repeat(5000) },
          { value: 'ok-after-hostile.com', description: '<img src=x onerror=alert(1)> \'; DROP TABLE sightings;--', tags: ['sql'] },
        ],
      }),
    );
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([...Array(11).fill('rejected'), 'accepted']);
    expect(body.results[10].input.length).toBeLessThanOrEqual(260);
    expect((await counts()).length).toBeGreaterThan(0); // the tables are still there
    const check = await (await api('/api/v1/check/ok-after-hostile.com')).json();
    expect(check).toMatchObject({ known: true, sightings: 1, tags: ['sql'] });
  });
});
