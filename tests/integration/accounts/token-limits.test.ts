// Token expiry and allowed networks (issue #17, docs/accounts.md), over real HTTP against a started
// node: the REST API, TAXII, the socket.io handshake and the HTTP stream all refuse an expired token
// (401 token_expired) and a token used from outside its networks (403 address_not_allowed); a live
// stream ends when its token expires (the periodic re-check, STREAM_RECHECK_SECONDS=1). The node sees
// this test as 127.0.0.1. The short-lived token is made with `sluice admin token create --expires-in`
// through the node's admin channel, after the node is up, so its lifetime does not depend on start-up.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AppError } from '@/lib/errors';
import { HTTP_STREAM_PATH, type StreamEnded } from '@/lib/realtime/protocol';
import { TAXII_MEDIA_TYPE } from '@/lib/taxii/media';
import { createApiToken } from '@/lib/tokens';
import { createAccount, type Account } from '../../helpers/fixtures';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SECRET = 'token-limits-test-secret-0123456789abcdef0123456789';

vi.setConfig({ testTimeout: 120_000 });

let owner: Account;
const tokens: Record<'inside' | 'outside' | 'mapped' | 'mappedNetwork', string> = { inside: '', outside: '', mapped: '', mappedNetwork: '' };
const sockets: Socket[] = [];

const node = setUpSeededServer(async ({ db }) => {
  owner = await createAccount(db.prisma, { plan: 'firehose', scopes: ['read', 'stream'] });
  const make = async (allowedNetworks: string) =>
    (await createApiToken(db.prisma, { userId: owner.user.id, name: allowedNetworks, scopes: ['read', 'stream'], allowedNetworks })).token;
  tokens.inside = await make('127.0.0.0/8');
  tokens.outside = await make('10.0.0.0/8, 2001:db8::/32');
  tokens.mapped = await make('::ffff:127.0.0.1');
  tokens.mappedNetwork = await make('::ffff:127.0.0.0/104');
}, { env: { NEXTAUTH_SECRET: SECRET, STREAM_RECHECK_SECONDS: '1' }, engineLog: true });
afterAll(() => {
  for (const socket of sockets) socket.close();
});

function sluiceAdmin(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...node.t.env, NEXTAUTH_SECRET: SECRET, LOG_LEVEL: 'silent' };
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/sluice.mjs', 'admin', '--url', node.server.url, ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const rest = (token: string) => fetch(`${node.server.url}/api/v1/feeds`, { headers: { authorization: `Bearer ${token}` } });
const taxii = (token: string) => fetch(`${node.server.url}/taxii2/`, { headers: { authorization: `Bearer ${token}`, accept: TAXII_MEDIA_TYPE } });

async function expectError(res: Response, status: number, code: string): Promise<string> {
  const body = (await res.json()) as { error?: { code: string; message: string }; http_status?: string; error_code?: string; description?: string };
  expect({ status: res.status, code: body.error?.code ?? body.error_code }).toEqual({ status, code });
  return body.error?.message ?? body.description ?? '';
}

/** A socket.io handshake on /firehose: 'connected', or the refusal code of its connect_error. */
function handshake(token: string): Promise<{ outcome: string; socket: Socket }> {
  const socket = connect(`${node.server.url}/firehose`, { transports: ['websocket'], auth: { token }, reconnection: false });
  sockets.push(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ outcome: 'connected', socket }));
    socket.once('connect_error', (error: Error & { data?: { code: string } }) => resolve({ outcome: error.data?.code ?? error.message, socket }));
  });
}

async function httpStreamStatus(token: string): Promise<{ status: number; code?: string }> {
  const controller = new AbortController();
  const res = await fetch(`${node.server.url}${HTTP_STREAM_PATH}`, { headers: { authorization: `Bearer ${token}`, accept: 'application/x-ndjson' }, signal: controller.signal });
  if (res.ok) {
    controller.abort();
    return { status: res.status };
  }
  return { status: res.status, code: ((await res.json()) as { error: { code: string } }).error.code };
}

describe('allowed networks', () => {
  it('accepts a token inside its networks on REST, TAXII, the socket.io handshake and the HTTP stream', async () => {
    for (const token of [tokens.inside, tokens.mapped, tokens.mappedNetwork]) {
      expect((await rest(token)).status).toBe(200);
      expect((await taxii(token)).status).toBe(200);
      const { outcome, socket } = await handshake(token);
      expect(outcome).toBe('connected');
      socket.close();
      expect(await httpStreamStatus(token)).toEqual({ status: 200 });
    }
  });

  it('refuses a token used from outside its networks with 403 address_not_allowed, everywhere', async () => {
    const message = await expectError(await rest(tokens.outside), 403, 'address_not_allowed');
    expect(message).toContain('10.0.0.0/8, 2001:db8::/32');
    expect(message).toContain('127.0.0.1');
    await expectError(await taxii(tokens.outside), 403, 'address_not_allowed');
    expect((await handshake(tokens.outside)).outcome).toBe('address_not_allowed');
    expect(await httpStreamStatus(tokens.outside)).toEqual({ status: 403, code: 'address_not_allowed' });
  });

  it('refuses a bad network or too many at creation with a 400 that names the problem', async () => {
    const bad = (await createApiToken(node.t.db.prisma, { userId: owner.user.id, name: 'x', scopes: ['read'], allowedNetworks: '10.0.0.0/8, 10.0.0.0/33' }).catch((e: unknown) => e)) as AppError;
    expect(bad).toMatchObject({ code: 'invalid_networks', status: 400 });
    expect(bad.message).toContain('"10.0.0.0/33"');
    const many = Array.from({ length: 21 }, (_, i) => `10.${i}.0.0/16`);
    await expect(createApiToken(node.t.db.prisma, { userId: owner.user.id, name: 'x', scopes: ['read'], allowedNetworks: many })).rejects.toMatchObject({ code: 'invalid_networks', status: 400 });
    const cli = await sluiceAdmin('token', 'create', '--email', owner.user.email, '--name', 'bad', '--scopes', 'read', '--allow', '192.168.1.0/24,nope');
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('"nope" is not an IP network');
  });

  it('refuses a token name the database cannot store or that disguises how it displays, and creates nothing', async () => {
    // Refused before the database is touched; on the embedded engines the running node owns the
    // database, so only PostgreSQL lets the test count the tokens afterwards too.
    const count = () => (node.t.db.kind === 'embedded' ? Promise.resolve(null) : node.t.db.prisma.apiToken.count({ where: { userId: owner.user.id } }));
    const before = await count();
    for (const name of ['a\u0000b', 'a\ud800b', '\u202egnp.exe', 'zero\u200bwidth', '', 'x'.repeat(101)]) {
      await expect(createApiToken(node.t.db.prisma, { userId: owner.user.id, name, scopes: ['read'] }), JSON.stringify(name)).rejects.toMatchObject({ code: 'invalid_name', status: 400 });
    }
    expect(await count()).toBe(before);
  });
});

describe('expiry', () => {
  it('a live stream ends when its token expires; then REST, TAXII, the handshake and the HTTP stream answer token_expired', async () => {
    const created = await sluiceAdmin('token', 'create', '--email', owner.user.email, '--name', 'short', '--scopes', 'read,stream', '--expires-in', '25s', '--allow', '127.0.0.0/8');
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/expires: \d{4}-\d\d-\d\dT.*; allowed networks: 127\.0\.0\.0\/8/);
    const token = created.stdout.trimEnd().split('\n').at(-1)!;
    const expiresAt = Date.parse(/expires: (\S+);/.exec(created.stdout)![1]);

    // Before the expiry: it works, and a stream stays open.
    expect(Date.now()).toBeLessThan(expiresAt);
    expect((await rest(token)).status).toBe(200);
    const { outcome, socket } = await handshake(token);
    expect(outcome).toBe('connected');
    const ended = new Promise<StreamEnded>((resolve) => socket.once('stream:ended', resolve));

    // The re-check (every second here) sees the expiry and ends the stream.
    const end = await ended;
    expect(end.reason).toBe('token_expired');
    expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
    await vi.waitFor(() => expect(socket.connected).toBe(false), { timeout: 10_000 });

    const message = await expectError(await rest(token), 401, 'token_expired');
    expect(message).toContain('expired');
    await expectError(await taxii(token), 401, 'token_expired');
    expect((await handshake(token)).outcome).toBe('token_expired');
    expect(await httpStreamStatus(token)).toEqual({ status: 401, code: 'token_expired' });
  });
});
