// The HTTP edge over a started node: request targets that do not decode, bounded bodies, Next's own
// /api answers in the API's error shape, the sign-up action's refusals, cursors past bigint,
// /metrics for operators only, and Idempotency-Key on submissions.
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUserWithToken } from '@/tests/integration/ingest/helpers';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';

const METRICS_TOKEN = 'metrics-token-for-the-edge-test';
let alice: { user: { id: string }; token: string };
let bob: { user: { id: string }; token: string };

const node = setUpSeededServer(async ({ db }) => {
  alice = await createUserWithToken(db, 'firehose');
  bob = await createUserWithToken(db, 'firehose');
}, {
  env: { METRICS_TOKEN },
  afterStart: async () => {
    for (const [token, slug] of [[alice.token, 'pub'], [bob.token, 'pub']]) {
      const res = await api('/api/v1/feeds', { method: 'POST', token, json: { slug } });
      expect(res.status).toBe(201);
    }
  },
});

function api(p: string, init: { method?: string; token?: string | null; json?: unknown; body?: BodyInit; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  const token = init.token === undefined ? alice.token : init.token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.json !== undefined) headers['content-type'] = 'application/json';
  return fetch(node.server.url + p, { method: init.method ?? 'GET', headers, body: init.json !== undefined ? JSON.stringify(init.json) : init.body });
}

/** A raw request: fetch would normalise the malformed targets this test sends on purpose. */
function raw(method: string, target: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<{ status: number; type: string; text: string }> {
  const { hostname, port } = new URL(node.server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function expectApiError(r: { status: number; type: string; text: string }, status: number, code?: string) {
  expect(r.status, r.text.slice(0, 200)).toBe(status);
  expect(r.type).toMatch(/^application\/json/);
  const body = JSON.parse(r.text) as { error: { code: string; message: string } };
  if (code) expect(body.error.code).toBe(code);
  expect(body.error.message.length).toBeGreaterThan(5);
}

describe('request targets', () => {
  it('refuse a NUL, a malformed % and invalid UTF-8 in any path or query value: 400 JSON on /api, a short page elsewhere', async () => {
    const auth = { authorization: `Bearer ${alice.token}` };
    for (const target of [
      '/api/v1/feeds/%00',
      '/api/v1/feeds/%zz',
      '/api/v1/feeds/%E0%A4%A',
      '/api/v1/check/%ff',
      '/api/v1/check/%ED%A0%80', // an encoded lone surrogate
      '/api/v1/indicators?tag=%00',
      '/api/v1/indicators?feed=a%00b',
      '/api/v1/indicators?tag=%',
      '/api/v1/indicators?%00=x',
    ]) {
      expectApiError(await raw('GET', target, auth), 400, 'bad_request');
    }
    for (const target of ['/threats/tag/%zz', '/threats/tag/%00', '/threats.json?tag=%00', '/threats.csv?tag=%00', '/i/ipv4/%zz']) {
      const r = await raw('GET', target);
      expect(r.status, target).toBe(400);
      expect(r.type).toMatch(/^text\/plain/);
    }
  });

  it('answers a cursor beyond bigint with 400 invalid_cursor', async () => {
    const cursor = Buffer.from(JSON.stringify({ v: 1, after: '9999999999999999999' })).toString('base64url');
    expectApiError(await raw('GET', `/api/v1/indicators?cursor=${cursor}`, { authorization: `Bearer ${alice.token}` }), 400, 'invalid_cursor');
  });

  it('answers unknown /api paths (404) and wrong methods (405) in the JSON shape', async () => {
    expectApiError(await raw('GET', '/api/nope'), 404, 'not_found');
    expectApiError(await raw('GET', '/api/v1/feeds/pub/indicators/extra'), 404, 'not_found');
    expectApiError(await raw('DELETE', '/api/v1/feeds'), 405, 'method_not_allowed');
    expectApiError(await raw('PUT', '/api/v1/indicators'), 405, 'method_not_allowed');
  });
});

describe('bodies', () => {
  const big = Buffer.alloc(2 * 1024 * 1024, 'a');

  it('bounds every body by Content-Length: submissions, the Stripe webhook, next-auth', async () => {
    const auth = { authorization: `Bearer ${alice.token}`, 'content-type': 'text/plain' };
    expectApiError(await raw('POST', '/api/v1/feeds/pub/indicators', auth, big), 413, 'body_too_large');
    expectApiError(await raw('POST', '/api/billing/webhook', { 'stripe-signature': 't=1,v1=x' }, big), 413, 'body_too_large');
    expectApiError(await raw('POST', '/api/auth/callback/credentials', { 'content-type': 'application/x-www-form-urlencoded' }, big), 413, 'body_too_large');
  });

  it('bounds a streamed body without Content-Length by counting its bytes', async () => {
    const r = await raw('POST', '/api/auth/callback/credentials', { 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' }, big).catch(
      (error: unknown) => ({ status: 0, type: '', text: String(error) }),
    );
    // The 413 arrives, or the connection is closed while the client is still sending: never a 5xx.
    if (r.status !== 0) expectApiError(r, 413, 'body_too_large');
    expect((await fetch(`${node.server.url}/api/health`)).status).toBe(200);
  });
});

describe('the sign-up server action', () => {
  const actionId = () => {
    const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../.next/server/server-reference-manifest.json'), 'utf8')) as {
      node: Record<string, { exportedName?: string }>;
    };
    const entry = Object.entries(manifest.node).find(([, v]) => v.exportedName === 'signUpAction');
    if (!entry) throw new Error('signUpAction not in the build');
    return entry[0];
  };
  const post = (body: string | Buffer, origin: string | null) =>
    raw('POST', '/signup', {
      'next-action': actionId(),
      accept: 'text/x-component',
      'content-type': 'text/plain;charset=UTF-8',
      ...(origin ? { origin } : {}),
    }, body);

  it('answers a normal refusal as a value (weak password), not an error', async () => {
    const r = await post(JSON.stringify([{ email: 'someone@example.com', password: 'short' }]), node.server.url);
    expect(r.status).toBe(200);
    expect(r.text).toContain('weak_password');
  });

  it('refuses $-prefixed (forged reference) strings, a foreign Origin and a large body with a 4xx', async () => {
    expect((await post('[{"email":"$1","password":"$@x"}]', node.server.url)).status).toBe(400);
    expect((await post(JSON.stringify([{ email: 'a@example.com', password: 'x' }]), 'https://evil.example')).status).toBe(403);
    expect((await post(JSON.stringify(['a'.repeat(1024 * 1024)]), node.server.url)).status).toBe(413);
  });
});

describe('/metrics', () => {
  it('answers only with the operators\' Bearer token when METRICS_TOKEN is set', async () => {
    expect((await fetch(`${node.server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${node.server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const ok = await fetch(`${node.server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('sluice_');
  });
});

describe('Idempotency-Key on submissions', () => {
  const submit = (key: string | null, indicators: unknown[], token = alice.token) =>
    api('/api/v1/feeds/pub/indicators', { method: 'POST', token, json: { indicators }, headers: key ? { 'idempotency-key': key } : {} });
  const sightings = async (value: string) => {
    const res = await api(`/api/v1/check/${encodeURIComponent(value)}`);
    return ((await res.json()) as { sightings?: number }).sightings ?? 0;
  };

  it('replays the stored answer for the same key and body without ingesting again', async () => {
    const key = `key-${Date.now()}-same`;
    const first = await submit(key, [{ value: 'idem-once.example-test.net', tags: ['idem'] }]);
    expect(first.status).toBe(200);
    const firstBody = await first.text();
    const again = await submit(key, [{ value: 'idem-once.example-test.net', tags: ['idem'] }]);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.text()).toBe(firstBody);
    expect(await sightings('idem-once.example-test.net')).toBe(1);
  });

  it('refuses the same key with another body (422), and keys are per user', async () => {
    const key = `key-${Date.now()}-other`;
    expect((await submit(key, [{ value: 'idem-a.example-test.net' }])).status).toBe(200);
    const reused = await submit(key, [{ value: 'idem-b.example-test.net' }]);
    expect(reused.status).toBe(422);
    expect(((await reused.json()) as { error: { code: string } }).error.code).toBe('idempotency_key_reused');
    // Bob's identical key is his own.
    const bobs = await submit(key, [{ value: 'idem-b.example-test.net' }], bob.token);
    expect(bobs.status).toBe(200);
    expect(bobs.headers.get('idempotent-replayed')).toBeNull();
  });

  it('lets exactly one of concurrent requests with one key ingest; the others get 409 or the replay', async () => {
    const key = `key-${Date.now()}-race`;
    const items = Array.from({ length: 200 }, (_, i) => ({ value: `race-${i}.idem-race.example-test.net` }));
    const answers = await Promise.all(Array.from({ length: 5 }, () => submit(key, items)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.every((s) => s === 200 || s === 409), statuses.join(',')).toBe(true);
    const fresh = answers.filter((a) => a.status === 200 && a.headers.get('idempotent-replayed') === null);
    expect(fresh).toHaveLength(1);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.headers.get('retry-after')).toBe('1');
    expect(await sightings('race-7.idem-race.example-test.net')).toBe(1);
  });

  it('refuses a malformed key (400) and releases a key whose request was refused before processing', async () => {
    const long = await submit('k'.repeat(256), [{ value: 'x.example-test.net' }]);
    expect(long.status).toBe(400);
    expect(((await long.json()) as { error: { code: string } }).error.code).toBe('invalid_idempotency_key');
    const key = `key-${Date.now()}-refused`;
    const missingFeed = await api('/api/v1/feeds/no-such-feed/indicators', { method: 'POST', json: { indicators: ['a.example-test.net'] }, headers: { 'idempotency-key': key } });
    expect(missingFeed.status).toBe(404);
    expect((await submit(key, [{ value: 'released.example-test.net' }])).status).toBe(200);
  });
});
