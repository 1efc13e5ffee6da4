// `sluice admin ...` as an operator runs it: a real `node bin/sluice.mjs` process on the configured
// database (fresh instance), exit codes and output, control messages, and — in embedded mode —
// through a running server that owns the database.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { subscribeControl, type ControlMessage } from '@/lib/control';
import { openDatabase, type Database } from '@/lib/db';
import { startServer, type ServerProcess } from '../../helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingPostgres, usingRedis, type TestDatabase } from '../../helpers/test-env';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const hasBuild = existsSync(path.join(ROOT, '.next/BUILD_ID'));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sluice(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    // Only what the test passes decides the database and the engines.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
    for (const key of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'PORT']) delete childEnv[key];
    Object.assign(childEnv, env);
    execFile(process.execPath, ['bin/sluice.mjs', 'admin', ...args], { cwd: ROOT, env: childEnv, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const lastLine = (s: string) => s.trimEnd().split('\n').at(-1) ?? '';

// Each command is a fresh process that opens (and on first use creates) the database: slow-ish.
vi.setConfig({ testTimeout: 120_000 });

describe('sluice admin on the configured database (no server running)', () => {
  // Embedded: a DATA_DIR no one has opened (the CLI creates and migrates it, as on a fresh
  // instance). PostgreSQL: a fresh database.
  let env: Record<string, string>;
  let t: TestDatabase | null = null;
  let dir: string | null = null;
  let engines: ReturnType<typeof createTestEngines>;
  const heard: ControlMessage[] = [];
  let unsubscribe: () => Promise<void>;

  beforeAll(async () => {
    engines = createTestEngines();
    unsubscribe = await subscribeControl(engines, (m) => heard.push(m));
    if (usingPostgres) {
      t = await createTestDatabase();
      env = { ...t.env };
    } else {
      dir = await mkdtemp(path.join(tmpdir(), 'sluice-admin-'));
      env = { DATA_DIR: dir, PORT: '1' }; // nothing listens on port 1: no running server
    }
    if (usingRedis) Object.assign(env, { REDIS_URL: process.env.REDIS_URL!, ...engines.env });
  });
  afterAll(async () => {
    await unsubscribe();
    await deleteRedisPrefix(engines);
    await engines.close();
    await t?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function withDb<T>(fn: (db: Database) => Promise<T>): Promise<T> {
    if (t) return fn(t.db);
    const db = await openDatabase({ DATA_DIR: dir! }); // only after the CLI has exited
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  }

  it('documents itself in --help', async () => {
    const run = await sluice(env, '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/user create/);
    expect(run.stdout).toMatch(/token revoke --prefix/);
  });

  it('creates users, refusing duplicates and weak passwords with non-zero exits', async () => {
    const created = await sluice(env, 'user', 'create', '--email', 'Ops@Example.com', '--password', 'operator passphrase', '--plan', 'firehose');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toMatch(/created user ops@example\.com .* on the firehose plan/);

    const again = await sluice(env, 'user', 'create', '--email', 'ops@example.com', '--password', 'operator passphrase');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);

    const weak = await sluice(env, 'user', 'create', '--email', 'weak@example.com', '--password', 'abc');
    expect(weak.code).toBe(1);
    expect(weak.stderr).toMatch(/Password too weak: use at least 10 characters/);

    const users = await withDb((db) => db.prisma.user.findMany({ select: { email: true, plan: true } }));
    expect(users).toEqual([{ email: 'ops@example.com', plan: 'firehose' }]);
  });

  it('rejects bad arguments with a usage error', async () => {
    const badPlan = await sluice(env, 'user', 'plan', '--email', 'ops@example.com', '--plan', 'gold');
    expect(badPlan.code).not.toBe(0);
    expect(badPlan.stderr).toMatch(/Allowed choices are free, firehose/);
    const missing = await sluice(env, 'token', 'create', '--email', 'ops@example.com', '--scopes', 'stream');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/--name/);
    const badScope = await sluice(env, 'token', 'create', '--email', 'ops@example.com', '--name', 'x', '--scopes', 'stream,fly');
    expect(badScope.code).not.toBe(0);
    expect(badScope.stderr).toMatch(/unknown: fly/);
    const nobody = await sluice(env, 'user', 'plan', '--email', 'nobody@example.com', '--plan', 'free');
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no user with email nobody@example.com/);
  });

  it('creates a token printed alone on the last line, stored only as a hash, and revokes it by prefix', async () => {
    const run = await sluice(env, 'token', 'create', '--email', 'ops@example.com', '--name', 'laptop', '--scopes', 'stream,read');
    expect(run.code).toBe(0);
    const token = lastLine(run.stdout);
    expect(token).toMatch(/^slc_[A-Za-z0-9_-]{43}$/);
    expect(run.stdout.split(token)).toHaveLength(2); // printed once
    const row = await withDb((db) => db.prisma.apiToken.findFirstOrThrow({ where: { name: 'laptop' } }));
    expect(row.scopes).toEqual(['read', 'stream']);
    expect(token.startsWith(row.prefix)).toBe(true);
    expect(JSON.stringify(row)).not.toContain(token.slice(12));

    const revoke = await sluice(env, 'token', 'revoke', '--prefix', row.prefix);
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toMatch(/revoked token/);
    expect((await withDb((db) => db.prisma.apiToken.findUniqueOrThrow({ where: { id: row.id } }))).revokedAt).not.toBeNull();
    const unknown = await sluice(env, 'token', 'revoke', '--prefix', 'slc_nothere');
    expect(unknown.code).toBe(3);
    if (usingRedis) {
      // With Redis, the CLI's control messages reach every node directly.
      await expect.poll(() => heard.find((m) => m.type === 'token_revoked')).toEqual({ type: 'token_revoked', tokenId: row.id, userId: row.userId });
    }
  });

  it('changes plans and says so', async () => {
    const down = await sluice(env, 'user', 'plan', '--email', 'OPS@example.com', '--plan', 'free');
    expect(down).toMatchObject({ code: 0 });
    expect(down.stdout).toMatch(/ops@example\.com: firehose → free/);
    const same = await sluice(env, 'user', 'plan', '--email', 'ops@example.com', '--plan', 'free');
    expect(same.stdout).toMatch(/already on the free plan/);
    if (usingRedis) {
      await expect.poll(() => heard.filter((m) => m.type === 'plan_changed').map((m) => (m as { plan: string }).plan)).toEqual(['firehose', 'free']);
    }
  });

  it('deletes a user with its tokens, and says so', async () => {
    const run = await sluice(env, 'user', 'delete', '--email', 'ops@example.com');
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/deleted ops@example\.com with its tokens, feeds and sightings/);
    expect(await withDb((db) => db.prisma.user.count({ where: { email: 'ops@example.com' } }))).toBe(0);
    expect(await withDb((db) => db.prisma.apiToken.count())).toBe(0);
    const again = await sluice(env, 'user', 'delete', '--email', 'ops@example.com');
    expect(again.code).toBe(3);
  });

  it('takes a subcommand\'s own --url for the subcommand (peer add --url is the remote, not the admin server)', async () => {
    const added = await sluice(env, 'peer', 'add', '--name', 'b', '--url', 'https://b.example.org');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/added peer link b\s+https:\/\/b\.example\.org/);
    expect(lastLine(added.stdout)).toMatch(/^slc_/);
    expect((await sluice(env, 'peer', 'dismiss', '--url', 'https://c.example.org')).code).toBe(3); // not suggested
    expect((await sluice(env, 'peer', 'remove', '--name', 'b')).code).toBe(0);
  });
});

// The servers below bind the DEFAULT host (HOST unset: 0.0.0.0), as `npm start` does: the admin
// channel must decide "this machine" from the connection's peer address, not from the bind address.
describe.skipIf(usingPostgres)('sluice admin against an embedded server on the default HOST (any role)', () => {
  let dir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-admin-default-'));
    // No web role: the admin channel is the node's own, not a Next.js route (no build needed).
    server = await startServer({ DATA_DIR: dir, REDIS_URL: '', HOST: '', ROLES: 'gateway,worker' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('runs `sluice admin user create` through the running server, quickly', async () => {
    const env = { DATA_DIR: dir, PORT: new URL(server.url).port };
    const started = Date.now();
    const run = await sluice(env, 'user', 'create', '--email', 'tour@example.com', '--password', 'a long passphrase', '--plan', 'firehose');
    const ms = Date.now() - started;
    console.log(`sluice admin user create against a default-HOST server: ${ms} ms`);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toMatch(/created user tour@example\.com .* on the firehose plan/);
    expect(ms).toBeLessThan(25_000); // the bug: 40 s of retries, then a failure
    const ran = server.logs.filter((l) => l.includes('"admin command"')).map((l) => (JSON.parse(l) as { command: string }).command);
    expect(ran).toContain('user.create');
  });

  it('refuses a caller whose request a proxy forwarded from another machine', async () => {
    const res = await fetch(`${server.url}/api/internal/admin`, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ type: 'ping' }),
    });
    // TRUST_PROXY is off: the node replaces X-Forwarded-For with the socket's (loopback) address,
    // so this is a local caller without the key.
    expect(res.status).toBe(401);
    const forwarded = await fetch(`${server.url}/api/internal/admin`, { method: 'POST', headers: { forwarded: 'for=203.0.113.9' }, body: '{}' });
    expect(forwarded.status).toBe(403);
    expect(((await forwarded.json()) as { error: { code: string } }).error.code).toBe('forbidden');
  });
});

describe.skipIf(usingPostgres || !hasBuild)('sluice admin while an embedded Sluice is running', () => {
  let dir: string;
  let server: ServerProcess;
  let env: Record<string, string>;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-admin-live-'));
    server = await startServer({ DATA_DIR: dir, REDIS_URL: '', HOST: '' });
    env = { DATA_DIR: dir, PORT: new URL(server.url).port };
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('sends commands to the server that owns the database, and they take effect there at once', async () => {
    expect((await sluice(env, 'user', 'create', '--email', 'live@example.com', '--password', 'running server phrase')).code).toBe(0);
    const run = await sluice(env, 'token', 'create', '--email', 'live@example.com', '--name', 'ci', '--scopes', 'stream');
    expect(run.code).toBe(0);
    const token = lastLine(run.stdout);
    const check = async () => (await fetch(`${server.url}/api/account/token?action=stream`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await check()).toBe(403); // Free
    expect((await sluice(env, 'user', 'plan', '--email', 'live@example.com', '--plan', 'firehose')).code).toBe(0);
    expect(await check()).toBe(200);
    const prefix = token.slice(0, 12);
    expect((await sluice(env, 'token', 'revoke', '--prefix', prefix)).code).toBe(0);
    expect(await check()).toBe(401);
    // The server ran them (the CLI never opened the PGlite directory itself).
    const ran = server.logs.filter((l) => l.includes('"admin command"')).map((l) => (JSON.parse(l) as { command: string }).command);
    expect(ran.filter((c) => c !== 'ping')).toEqual(['user.create', 'token.create', 'user.plan', 'token.revoke']);
  });

  it('exits 3 for an unknown user or token through the server too (as on the database directly)', async () => {
    const nobody = await sluice(env, 'user', 'delete', '--email', 'nobody@example.com');
    expect(nobody.code).toBe(3);
    expect(nobody.stderr).toMatch(/no user with email nobody@example.com/);
    expect((await sluice(env, 'token', 'revoke', '--prefix', 'slc_AbCd1234')).code).toBe(3);
    expect((await sluice(env, 'user', 'create', '--email', 'live@example.com', '--password', 'running server phrase')).code).toBe(1); // taken
  });

  it('sends a command to the server named by admin --url, and peer add --url to the link', async () => {
    const added = await sluice({ DATA_DIR: dir }, '--url', server.url, 'peer', 'add', '--name', 'b', '--url', 'https://b.example.org');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/added peer link b\s+https:\/\/b\.example\.org/);
    expect((await sluice({ DATA_DIR: dir }, '--url', server.url, 'peer', 'remove', '--name', 'b')).code).toBe(0);
    expect(server.logs.some((l) => l.includes('"admin command"') && l.includes('"peer.add"'))).toBe(true);
  });

  it('refuses a wrong admin key instead of opening the database behind the server', async () => {
    const run = await sluice({ ...env, NEXTAUTH_SECRET: 'not-the-server-secret-at-all' }, 'user', 'plan', '--email', 'live@example.com', '--plan', 'free');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/refused the admin key/);
  });

  it('the admin endpoint refuses callers without the key', async () => {
    const res = await fetch(`${server.url}/api/internal/admin`, { method: 'POST', body: JSON.stringify({ type: 'user.plan', email: 'live@example.com', plan: 'free' }) });
    expect(res.status).toBe(401);
  });
});
