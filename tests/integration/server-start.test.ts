// The real entry point, as an operator runs it: health names the engines, bad configuration exits
// with one line naming the variable, and a restart keeps the data. These servers run with the
// defaults a user gets (HOST unset = 0.0.0.0), not the loopback HOST other tests pin.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingPostgres, usingRedis } from '../helpers/test-env';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('server start-up', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('serves /api/health naming the configured engines and the node roles', async () => {
    const t = await createTestDatabase();
    cleanups.push(() => t.drop());
    const engines = createTestEngines();
    cleanups.push(async () => {
      await deleteRedisPrefix(engines);
      await engines.close();
    });
    // The test database is shared with the server process: close our handle on an embedded one.
    if (!usingPostgres) await t.db.close();
    const server = await startServer({ ...t.env, ...engines.env, ROLES: 'gateway,worker', HOST: '' });
    cleanups.push(() => server.stop());
    const res = await fetch(`${server.url}/api/health`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; roles: string[]; database: { engine: string; status: string }; redis: { engine: string } };
    expect(body.status).toBe('ok');
    expect(body.roles).toEqual(['gateway', 'worker']);
    expect(body.database).toMatchObject({ engine: usingPostgres ? 'postgres' : 'embedded', status: 'ok' });
    expect(body.redis.engine).toBe(usingRedis ? 'redis' : 'embedded');
    // A node without the web role answers other paths with a JSON 404, not Next.js.
    const other = await fetch(`${server.url}/threats`);
    expect(other.status).toBe(404);
    expect(((await other.json()) as { error: { code: string } }).error.code).toBe('not_found');
    // SIGTERM drains and exits cleanly.
    expect(await server.stop('SIGTERM')).toBe(0);
  }, 120_000);

  it('keeps embedded data across restarts', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'sluice-restart-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const env = { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', ROLES: 'gateway', HOST: '' };
    const first = await startServer(env);
    expect(await first.stop()).toBe(0);
    // Write through the embedded database while no server owns it, then start again.
    const { openDatabase } = await import('@/lib/db');
    const db = await openDatabase({ DATA_DIR: dataDir });
    await db.prisma.user.create({ data: { email: 'kept@example.com', passwordHash: 'x' } });
    await db.close();
    const second = await startServer(env);
    cleanups.push(() => second.stop());
    const health = (await (await fetch(`${second.url}/api/health`)).json()) as { database: { engine: string } };
    expect(health.database.engine).toBe('embedded');
    // The restarted node answers the admin channel on this machine (peer address, not bind address).
    const { ADMIN_HEADER, ADMIN_PATH, deriveAdminKey, readAdminHandle, readSessionSecret } = await import('@/lib/accounts/admin-channel');
    const handle = await readAdminHandle(dataDir);
    expect(handle?.pid).toBe(second.child.pid);
    const secret = await readSessionSecret({ DATA_DIR: dataDir });
    const ping = await fetch(new URL(ADMIN_PATH, handle!.url), {
      method: 'POST',
      headers: { [ADMIN_HEADER]: deriveAdminKey(secret!) },
      body: JSON.stringify({ type: 'ping' }),
    });
    expect(ping.status).toBe(200);
    expect(((await ping.json()) as { result: { lines: string[] } }).result.lines).toEqual(['pong']);
    expect(await second.stop()).toBe(0);
    const again = await openDatabase({ DATA_DIR: dataDir });
    expect(await again.prisma.user.count({ where: { email: 'kept@example.com' } })).toBe(1);
    await again.close();
  }, 180_000); // two fresh embedded starts and stops: ~15 s alone, far more on a loaded machine

  it('with the defaults a user gets (no HOST, no PORT, every role) serves the pages and API documents on :3000', async (ctx) => {
    // Port 3000 is the README's address; if something else holds it here (a developer's own
    // `npm start`), this test cannot run and says why instead of failing on someone else's server.
    const free = await new Promise<boolean>((resolve) => {
      const probe = createNetServer().once('error', () => resolve(false));
      probe.listen(3000, () => probe.close(() => resolve(true)));
    });
    if (!free) {
      console.warn('skipped: port 3000 is in use on this machine');
      ctx.skip();
    }
    const t = await createTestDatabase();
    cleanups.push(() => t.drop());
    const engines = createTestEngines();
    cleanups.push(async () => {
      await deleteRedisPrefix(engines);
      await engines.close();
    });
    if (!usingPostgres) await t.db.close();
    const server = await startServer({ ...t.env, ...engines.env, HOST: undefined, PORT: undefined, ROLES: undefined }, { timeoutMs: 150_000 });
    cleanups.push(() => server.stop());
    expect(server.url).toMatch(/:3000$/);
    // Reachable on every interface the default binds, by the addresses a visitor types.
    for (const base of ['http://127.0.0.1:3000', 'http://localhost:3000']) {
      expect((await fetch(`${base}/api/health`)).status, base).toBe(200);
    }
    for (const page of ['/', '/threats', '/threats/search', '/feeds', '/docs', '/login', '/signup']) {
      const res = await fetch(`http://127.0.0.1:3000${page}`);
      expect(res.status, page).toBe(200);
      expect(res.headers.get('content-type'), page).toMatch(/text\/html/);
    }
    for (const document of ['/api/v1/openapi.json', '/api/v1/asyncapi.json', '/taxii2/']) {
      const res = await fetch(`http://127.0.0.1:3000${document}`, { headers: { accept: document === '/taxii2/' ? 'application/taxii+json;version=2.1' : 'application/json' } });
      expect([200, 401], document).toContain(res.status); // TAXII discovery asks for credentials
    }
    expect(await server.stop('SIGTERM')).toBe(0);
  }, 200_000);

  it.each([
    ['PORT', 'abc'],
    ['REDIS_URL', 'not-a-url'],
    // Job settings are parsed at start-up too, not on the first submission.
    ['JOB_ATTEMPTS', 'abc'],
    ['ENQUEUE_BATCH_MS', '-5'],
    // So are the trust settings (a bad one made every ingest fail while the node ran on).
    ['TRUST_NEW_ACCOUNT_HOURS', '-1'],
    ['WARNING_LISTS_REFRESH_SECONDS', 'soon'],
  ])('exits 78 (EX_CONFIG) with a one-line message when %s=%s', (name, value) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/index.mts'], {
      cwd: ROOT,
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(result.status).toBe(78);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^sluice: Invalid configuration: ${name}: `));
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
