// Webhook deliveries end to end in one process: the real ingest path, relay and firehose log, the
// delivering worker (server/webhooks) and a real local HTTP receiver. Signatures, retries until a
// receiver recovers (every event once per id, in order), dead letters and the pause of an endpoint
// that keeps failing, a restart that resumes from the stored cursor, and one deliverer per endpoint.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig, type Config } from '@/lib/config';
import { createLogger } from '@/lib/logger';
import { createWebhook, getWebhookOrThrow, setWebhookPaused, verifySignature, type WebhookDeps } from '@/lib/webhooks';
import { startRelay, type Relay } from '@/server/relay';
import { startWebhookDelivery, type WebhookDelivery } from '@/server/webhooks';
import { createAccount, type Account } from '@/tests/helpers/fixtures';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { ingest } from '../ingest/helpers';
import { startReceiver, type Receiver } from './receiver';

const logger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent');
let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let relay: Relay;
let dataDir: string;
let account: Account;
let seq = 0;
const cleanups: (() => Promise<unknown>)[] = [];

function configWith(overrides: Record<string, string> = {}): Config {
  return parseConfig({
    DATA_DIR: dataDir,
    WEBHOOK_ALLOW_LOOPBACK: 'true',
    WEBHOOK_RETRY_BASE_MS: '20',
    WEBHOOK_RETRY_MAX_MS: '200',
    WEBHOOK_LEASE_SECONDS: '15',
    ...overrides,
  });
}

function deps(config: Config): WebhookDeps {
  return { prisma: t.db.prisma, sql: t.db.sql, log: engines.log, config };
}

function deliver(config: Config, owner?: string): WebhookDelivery {
  const delivery = startWebhookDelivery({ config, db: t.db, engines, logger }, { scanMs: 100, owner });
  cleanups.push(() => delivery.stop());
  return delivery;
}

async function receiver(respond?: Parameters<typeof startReceiver>[0]): Promise<Receiver> {
  const r = await startReceiver(respond);
  cleanups.push(() => r.close());
  return r;
}

/** Publishes n fresh public indicators through the one ingest path; returns their event ids. */
async function publish(n: number, tag = 'webhook-test'): Promise<string[]> {
  const items = Array.from({ length: n }, () => ({ value: `wh-${seq++}-${Date.now().toString(36)}.example-hook.net`, tags: [tag] }));
  const result = await ingest(t.db, { ownerId: account.user.id, feed: 'hooks', items });
  const ids = result.results.flatMap((r) => (r.status === 'accepted' && r.eventId ? [r.eventId] : []));
  expect(ids).toHaveLength(n);
  return ids;
}

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-webhooks-'));
  account = await createAccount(t.db.prisma, { plan: 'firehose', feeds: [{ slug: 'hooks' }] });
  relay = startRelay({ engines, logger }, { pollMs: 20 });
});
// Each test's deliverers stop with it: a leftover one would claim the next test's endpoints.
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await relay?.stop();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

async function register(config: Config, url: string, filters?: object) {
  return createWebhook(deps(config), { userId: account.user.id, plan: 'firehose', tokenId: account.tokenId }, { url, ...(filters ? { filters } : {}) });
}

describe('webhook deliveries', () => {
  it('POSTs signed batches { events } that verify with the secret shown once', async () => {
    const config = configWith();
    const r = await receiver();
    const hook = await register(config, r.url);
    expect(hook.secret).toMatch(/^whsec_/);
    const [{ secret_ciphertext: stored }] = await t.db.sql.query<{ secret_ciphertext: string }>(`SELECT secret_ciphertext FROM webhooks WHERE id = $1`, [hook.id]);
    expect(stored).not.toContain(hook.secret.slice(6));
    deliver(config);
    const ids = await publish(3);
    await vi.waitFor(() => expect(r.acceptedIds()).toEqual(ids), { timeout: 20_000, interval: 50 });
    for (const req of r.requests) {
      expect(req.headers['content-type']).toBe('application/json');
      expect(verifySignature(hook.secret, req.body, req.headers['sluice-signature'] as string)).toBe(true);
      // Any change to the body, or another secret, fails.
      expect(verifySignature(hook.secret, req.body + ' ', req.headers['sluice-signature'] as string)).toBe(false);
      expect(verifySignature(`${hook.secret}x`, req.body, req.headers['sluice-signature'] as string)).toBe(false);
      expect(req.headers['sluice-webhook-id']).toBe(hook.id);
    }
    // The five-line snippet of docs/webhooks.md, run as written.
    const doc = await readFile(path.resolve(import.meta.dirname, '../../../docs/webhooks.md'), 'utf8');
    const snippet = /<!-- verify-snippet -->\n```js\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(snippet?.trim().split('\n')).toHaveLength(5);
    const file = path.join(dataDir, 'verify-snippet.mjs');
    await writeFile(file, snippet!);
    const { verifySluice } = (await import(file)) as { verifySluice: (secret: string, body: string, header: string) => boolean };
    for (const req of r.requests) {
      expect(verifySluice(hook.secret, req.body, req.headers['sluice-signature'] as string)).toBe(true);
      expect(verifySluice(hook.secret, req.body.replace('"new"', '"old"'), req.headers['sluice-signature'] as string)).toBe(false);
    }
    const event = r.requests[0].json.events[0];
    expect(event).toMatchObject({ id: ids[0], kind: 'new', feed: { slug: 'hooks' }, indicator: { type: 'domain' } });
    expect(event.cursor).toMatch(/^\d+-\d+$/);
  });

  it('a receiver failing 5 times then recovering gets every event once per id, in order', async () => {
    const config = configWith({ WEBHOOK_BATCH_SIZE: '7', WEBHOOK_MAX_ATTEMPTS: '8' });
    const r = await receiver((n) => (n < 5 ? 500 : 200));
    const hook = await register(config, r.url, { tags: ['retry-test'] });
    deliver(config);
    await publish(5, 'other-tag'); // filtered out
    const ids = [...(await publish(10, 'retry-test')), ...(await publish(2, 'other-tag')), ...(await publish(10, 'retry-test'))].filter(
      (_, i) => i < 10 || i >= 12,
    );
    await vi.waitFor(() => expect(r.acceptedIds()).toHaveLength(20), { timeout: 30_000, interval: 50 });
    await new Promise((resolve) => setTimeout(resolve, 300)); // nothing more arrives
    expect(r.acceptedIds()).toEqual(ids);
    expect(r.requests.slice(0, 5).every((q) => q.status === 500)).toBe(true);
    // The five failures were retries of the first batch: the same body each time.
    expect(new Set(r.requests.slice(0, 6).map((q) => JSON.stringify(q.json.events.map((e) => e.id)))).size).toBe(1);
    await vi.waitFor(async () => expect((await getWebhookOrThrow(deps(config), account.user.id, hook.id)).health.backlog).toBe(0), { timeout: 5000 });
    const view = await getWebhookOrThrow(deps(config), account.user.id, hook.id);
    expect(view).toMatchObject({ state: 'active', health: { deliveredEvents: 20, attempts: 0, deadLetters: 0, backlog: 0 } });
    expect(view.health.lastSuccessAt).not.toBeNull();
    expect(view.health.lastError).toMatch(/HTTP 500/);
  });

  it('a receiver that never recovers ends in the dead-letter list with its last error, and the endpoint pauses', async () => {
    const config = configWith({ WEBHOOK_BATCH_SIZE: '5', WEBHOOK_MAX_ATTEMPTS: '3', WEBHOOK_PAUSE_AFTER_DEAD_LETTERS: '2' });
    const r = await receiver(() => 503);
    const hook = await register(config, r.url, { tags: ['never-test'] });
    deliver(config);
    await publish(12, 'never-test');
    await vi.waitFor(async () => expect((await getWebhookOrThrow(deps(config), account.user.id, hook.id)).state).toBe('paused'), {
      timeout: 30_000,
      interval: 50,
    });
    const view = await getWebhookOrThrow(deps(config), account.user.id, hook.id);
    expect(view.pausedReason).toBe('failing');
    expect(view.health.deadLetters).toBe(2);
    expect(view.recentDeadLetters).toHaveLength(2);
    expect(view.recentDeadLetters![0]).toMatchObject({ events: 5, attempts: 3, lastStatus: 503 });
    expect(view.recentDeadLetters![0].lastError).toMatch(/HTTP 503: receiver says no/);
    expect(r.requests).toHaveLength(6); // 2 batches × 3 attempts, then nothing: it is paused
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(r.requests).toHaveLength(6);
    // The dead-lettered batches' cursors let the user replay them; the backlog is the third batch.
    expect(view.recentDeadLetters![1].fromCursor).not.toBeNull();
    expect(view.health.backlog).toBeGreaterThanOrEqual(2);
  });

  it('resumes from the stored cursor after the deliverer restarts: nothing lost, in order', async () => {
    const config = configWith({ WEBHOOK_BATCH_SIZE: '3' });
    let slow = true;
    const r = await receiver(async () => {
      if (slow) await new Promise((resolve) => setTimeout(resolve, 30));
      return 200;
    });
    const hook = await register(config, r.url, { tags: ['restart-test'] });
    const first = deliver(config, 'node-a');
    const ids = await publish(30, 'restart-test');
    await vi.waitFor(() => expect(r.acceptedIds().length).toBeGreaterThanOrEqual(6), { timeout: 20_000, interval: 10 });
    await first.stop();
    const deliveredBefore = r.acceptedIds().length;
    expect(deliveredBefore).toBeLessThan(30);
    const more = await publish(5, 'restart-test'); // while no deliverer runs
    slow = false;
    deliver(config, 'node-b');
    await vi.waitFor(() => expect(new Set(r.acceptedIds()).size).toBe(35), { timeout: 20_000, interval: 50 });
    // At least once: a batch in flight at the stop may come again, but nothing is lost or reordered.
    const firstSeen = [...new Set(r.acceptedIds())];
    expect(firstSeen).toEqual([...ids, ...more]);
    await vi.waitFor(async () => expect((await getWebhookOrThrow(deps(config), account.user.id, hook.id)).health.backlog).toBe(0), { timeout: 5000 });
    console.log(`[webhooks] restart: ${deliveredBefore} events before the stop, ${r.acceptedIds().length - 35} delivered twice`);
  });

  it('exactly one node delivers an endpoint; when it stops, another takes over', async () => {
    const config = configWith();
    const r = await receiver();
    const hook = await register(config, r.url, { tags: ['lease-test'] });
    const a = deliver(config, 'lease-a');
    const b = deliver(config, 'lease-b');
    await vi.waitFor(() => expect([...a.held, ...b.held].filter((id) => id === hook.id)).toHaveLength(1), { timeout: 10_000, interval: 20 });
    const ids = await publish(6, 'lease-test');
    await vi.waitFor(() => expect(r.acceptedIds()).toEqual(ids), { timeout: 20_000, interval: 50 });
    const holder = a.held.includes(hook.id) ? a : b;
    const other = holder === a ? b : a;
    await holder.stop();
    await vi.waitFor(() => expect(other.held).toContain(hook.id), { timeout: 10_000, interval: 20 });
    const later = await publish(4, 'lease-test');
    await vi.waitFor(() => expect(r.acceptedIds()).toEqual([...ids, ...later]), { timeout: 20_000, interval: 50 });
  });

  it('a paused endpoint gets nothing until resumed, then everything after its cursor', async () => {
    const config = configWith();
    const r = await receiver();
    const hook = await register(config, r.url, { tags: ['pause-test'] });
    deliver(config);
    await setWebhookPaused(deps(config), account.user.id, hook.id, { paused: true });
    const ids = await publish(4, 'pause-test');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(r.requests).toHaveLength(0);
    await setWebhookPaused(deps(config), account.user.id, hook.id, { paused: false });
    await vi.waitFor(() => expect(r.acceptedIds()).toEqual(ids), { timeout: 20_000, interval: 50 });
  });
});
