// The webhook REST API against a real node (production build): registration with the secret shown
// once, the SSRF refusals (400 with a clear code), ownership (another user's webhook is a 404), the
// stream entitlement, replay and test requests; then a SIGKILL of the delivering node mid-stream and
// a restart on the same database: delivery resumes from the stored cursor, nothing lost.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifySignature } from '@/lib/webhooks';
import { createAccount, type Account } from '@/tests/helpers/fixtures';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { startReceiver, type Receiver } from './receiver';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let server: ServerProcess;
let firehose: Account;
let other: Account;
let free: Account;
let receiver: Receiver;
let slow = true;
let env: Record<string, string>;

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  firehose = await createAccount(t.db.prisma, { plan: 'firehose', feeds: [{ slug: 'api-hooks' }] });
  other = await createAccount(t.db.prisma, { plan: 'firehose' });
  free = await createAccount(t.db.prisma, { plan: 'free' });
  if (t.db.kind === 'embedded') await t.db.close();
  receiver = await startReceiver(async () => {
    if (slow) await new Promise((resolve) => setTimeout(resolve, 150));
    return 200;
  });
  env = { ...t.env, ...engines.env, WEBHOOK_ALLOW_LOOPBACK: 'true', WEBHOOK_SECRET_KEY: 'k'.repeat(40), WEBHOOK_BATCH_SIZE: '2', WEBHOOK_LEASE_SECONDS: '2' };
  server = await startServer(env);
}, 180_000);
afterAll(async () => {
  await server?.stop();
  await receiver?.close();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop().catch(() => undefined);
});

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads whatever the API answered
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, any> };
}

describe('webhook API', () => {
  it.each([
    ['https://10.0.0.1/hook', 'url_not_allowed'],
    ['https://169.254.169.254/latest/meta-data/', 'url_not_allowed'],
    ['https://[::ffff:169.254.169.254]/', 'url_not_allowed'],
    ['http://93.184.215.14/hook', 'https_required'], // a public address literal: no DNS needed
    ['nope', 'invalid_url'],
  ])('refuses %s with 400 %s', async (url, code) => {
    const res = await call('POST', '/api/v1/webhooks', firehose.token, { url });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
  });

  it('needs the stream entitlement: a Free plan token gets 403 plan_required', async () => {
    const res = await call('POST', '/api/v1/webhooks', free.token, { url: receiver.url });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('plan_required');
  });

  it('registers (secret once), lists, hides from others, tests, replays, and survives a SIGKILL of its deliverer', async () => {
    const created = await call('POST', '/api/v1/webhooks', firehose.token, { url: receiver.url, filters: { types: ['domain'] } });
    expect(created.status).toBe(201);
    const hook = created.body.webhook;
    expect(hook).toMatchObject({ url: receiver.url, state: 'active', filters: { types: ['domain'] } });
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = await call('GET', '/api/v1/webhooks', firehose.token);
    expect(listed.body.webhooks.map((w: { id: string }) => w.id)).toEqual([hook.id]);
    expect(JSON.stringify(listed.body)).not.toContain(hook.secret);
    expect((await call('GET', `/api/v1/webhooks/${hook.id}`, other.token)).status).toBe(404);
    expect((await call('DELETE', `/api/v1/webhooks/${hook.id}`, other.token)).status).toBe(404);
    expect((await call('GET', '/api/v1/webhooks/not-a-uuid', firehose.token)).status).toBe(404);
    expect((await call('POST', `/api/v1/webhooks/${hook.id}/replay`, firehose.token, { since: 'garbage' })).body.error.code).toBe('invalid_cursor');

    // A test request, sent by the worker and signed like deliveries.
    expect((await call('POST', `/api/v1/webhooks/${hook.id}/test`, firehose.token)).status).toBe(202);
    await vi.waitFor(() => expect(receiver.requests.some((r) => r.json.test === true)).toBe(true), { timeout: 20_000, interval: 100 });
    const testRequest = receiver.requests.find((r) => r.json.test === true)!;
    expect(verifySignature(hook.secret, testRequest.body, testRequest.headers['sluice-signature'] as string)).toBe(true);

    // 20 events, delivered two per request with a slow receiver; the node is killed mid-way.
    const values = Array.from({ length: 20 }, (_, i) => `kill-${i}-${Date.now().toString(36)}.example-hook.net`);
    const submitted = await call('POST', '/api/v1/feeds/api-hooks/indicators', firehose.token, { indicators: values });
    expect(submitted.status).toBe(200);
    await vi.waitFor(() => expect(receiver.acceptedIds().length).toBeGreaterThanOrEqual(4), { timeout: 30_000, interval: 20 });
    server.child.kill('SIGKILL');
    await new Promise((resolve) => server.child.once('exit', resolve));
    const before = new Set(receiver.acceptedIds()).size;
    slow = false;
    server = await startServer(env);
    await vi.waitFor(() => expect(new Set(receiver.acceptedIds()).size).toBe(20), { timeout: 60_000, interval: 100 });
    const values2 = receiver.requests.filter((r) => r.status === 200).flatMap((r) => (r.json.events ?? []).map((e) => e.indicator.value));
    expect([...new Set(values2)]).toEqual(values);
    console.log(`[webhooks] SIGKILL: ${before} of 20 delivered before the kill, ${receiver.acceptedIds().length - 20} delivered again after the restart`);

    const view = (await call('GET', `/api/v1/webhooks/${hook.id}`, firehose.token)).body.webhook;
    expect(view.health.deliveredEvents).toBeGreaterThanOrEqual(20);
    expect((await call('DELETE', `/api/v1/webhooks/${hook.id}`, firehose.token)).status).toBe(204);
    expect((await call('GET', `/api/v1/webhooks/${hook.id}`, firehose.token)).status).toBe(404);
  });
});
