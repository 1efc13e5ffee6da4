// Operators and suspension over real HTTP against a started node (needs a build: npm run build):
// sign-in, failed sign-in and sign-out land in the audit log an operator reads on /admin/users/[id];
// `sluice admin user suspend` (through the running node in embedded mode) signs the user out,
// refuses their token on REST and their sign-in; non-operators get nothing from /admin/users; any
// search string an operator's browser sends is answered, never a 500.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { createApiToken } from '@/lib/tokens';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';
import { usingRedis } from '@/tests/helpers/test-env';
import { cookieHeader, setCookies } from '../../helpers/cookies';

const ROOT = path.resolve(import.meta.dirname, '../../..');
let token: string;
let userId: string;
const OPS = { email: 'ops@example.com', password: 'quiet copper mountains' };
const USER = { email: 'member@example.com', password: 'violet harbour lanterns' };

const node = setUpSeededServer(async ({ db }) => {
  await createUser(db.prisma, { ...OPS, isAdmin: true });
  const user = await createUser(db.prisma, USER);
  userId = user.id;
  token = (await createApiToken(db.prisma, { userId, name: 'script', scopes: ['read', 'stream'] })).token;
}, { env: { TRUST_PROXY: 'loopback' } });


async function signIn(ip: string, credentials: { email: string; password: string }) {
  const csrf = await fetch(`${node.server.url}/api/auth/csrf`, { headers: { 'x-forwarded-for': ip } });
  const jar = setCookies(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${node.server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar), 'x-forwarded-for': ip, 'user-agent': 'admin-http-test/1.0' },
    body: new URLSearchParams({ ...credentials, csrfToken, json: 'true', callbackUrl: `${node.server.url}/dashboard` }),
  });
  const body = (await res.json()) as { url: string };
  for (const [k, v] of setCookies(res)) jar.set(k, v);
  const session = [...jar].find(([k]) => k.endsWith('next-auth.session-token'));
  return { error: new URL(body.url).searchParams.get('error'), cookie: session && session[1] ? cookieHeader(jar) : null };
}

const page = (pathname: string, cookie?: string) => fetch(`${node.server.url}${pathname}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
const tokenCheck = () => fetch(`${node.server.url}/api/account/token?action=read`, { headers: { authorization: `Bearer ${token}` } });

function sluice(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'silent' };
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'DATA_DIR', 'PORT']) delete env[key];
  Object.assign(env, node.t.env, node.engines.env, usingRedis ? { REDIS_URL: process.env.REDIS_URL } : {});
  return new Promise((resolve) => {
    execFile(process.execPath, ['bin/sluice.mjs', 'admin', ...args], { cwd: ROOT, env, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('/admin/users over HTTP', () => {
  it('sends strangers to sign in and answers members 403 with nothing of the page', async () => {
    const anonymous = await page('/admin/users?q=member');
    expect(anonymous.status).toBe(307);
    expect(anonymous.headers.get('location')).toMatch(/\/login\?callbackUrl=%2Fadmin%2Fusers$/);
    const member = await signIn('198.51.100.30', USER);
    const refused = await page('/admin/users?q=member', member.cookie!);
    expect(refused.status).toBe(403);
    const html = await refused.text();
    expect(html).toContain('Operators only');
    expect(html).not.toContain(USER.email);
    const detail = await page(`/admin/users/${userId}`, member.cookie!);
    expect(detail.status).toBe(403);
    expect(await detail.text()).not.toContain(USER.email);
  });

  it('guards every operators\' page alike: sign in when signed out, 403 for a member, 200 for an operator', async () => {
    const [member, ops] = [await signIn('198.51.100.33', USER), await signIn('198.51.100.34', OPS)];
    for (const [pathname, callbackUrl] of [['/admin', '/admin'], ['/admin/users', '/admin/users'], [`/admin/users/${userId}`, `/admin/users/${userId}`], ['/admin/outbox', '/admin/outbox']]) {
      const anonymous = await page(pathname);
      expect(anonymous.status, pathname).toBe(307);
      expect(anonymous.headers.get('location'), pathname).toMatch(new RegExp(`/login\\?callbackUrl=${encodeURIComponent(callbackUrl)}$`));
      const refused = await page(pathname, member.cookie!);
      expect(refused.status, pathname).toBe(403);
      expect(await refused.text(), pathname).toContain('Operators only');
      expect((await page(pathname, ops.cookie!)).status, pathname).toBe(200);
    }
    // An operator asking for an account that does not exist gets the site's 404.
    for (const missing of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) expect((await page(`/admin/users/${missing}`, ops.cookie!)).status, missing).toBe(404);
  });

  it('answers any search string an operator sends, and finds by prefix', async () => {
    const ops = await signIn('198.51.100.10', OPS);
    expect(ops.error).toBeNull();
    for (const q of ['%', '_', "' OR 1=1 --", '\\', 'a'.repeat(5000), '%00', '<script>alert(1)</script>', '\u202e', 'MEMBER']) {
      const res = await page(`/admin/users?q=${encodeURIComponent(q)}&after=${encodeURIComponent(q)}`, ops.cookie!);
      expect(res.status, q.slice(0, 20)).toBe(200);
      const html = await res.text();
      expect(html).not.toContain('<script>alert(1)</script>');
    }
    // NUL and a byte that is no UTF-8: answered (the edge may refuse the request target with a 400), never a 500.
    for (const raw of ['q=%00', 'q=x&after=%00', 'q=%FF', 'q=a&q=b&after=1&after=2']) {
      const status = (await page(`/admin/users?${raw}`, ops.cookie!)).status;
      expect([200, 400], raw).toContain(status);
    }
    const found = await (await page('/admin/users?q=MEMB', ops.cookie!)).text();
    expect(found).toContain(`/admin/users/${userId}`);
    const none = await (await page('/admin/users?q=%25', ops.cookie!)).text();
    expect(none).not.toContain(`/admin/users/${userId}`);
  });

  it('records sign-ins and failures, and a suspension signs the user out and refuses their token and sign-in', async () => {
    const member = await signIn('198.51.100.31', USER);
    expect(member.cookie).toBeTruthy();
    expect((await signIn('203.0.113.5', { email: USER.email, password: 'not the password' })).error).toBe('Wrong email or password.');
    expect((await tokenCheck()).status).toBe(200);
    expect((await page('/dashboard', member.cookie!)).status).toBe(200);

    const run = await sluice('user', 'suspend', '--email', USER.email, '--reason', 'http test');
    expect(run).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^suspended member@example\.com/);

    // Other bundles of the node may hold the session for up to 2 s.
    await expect.poll(async () => (await page('/dashboard', member.cookie!)).status, { timeout: 10_000, interval: 250 }).toBe(307);
    const refused = await tokenCheck();
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: 'invalid_token', message: expect.stringMatching(/suspended/) } });
    expect((await signIn('198.51.100.31', USER)).error).toMatch(/This account is suspended/);

    const ops = await signIn('198.51.100.10', OPS);
    await expect
      .poll(async () => {
        const html = await (await page(`/admin/users/${userId}`, ops.cookie!)).text();
        return ['sign_in', 'sign_in_failed', 'suspended'].filter((a) => html.includes(`data-action="${a}"`));
      }, { timeout: 10_000 })
      .toEqual(['sign_in', 'sign_in_failed', 'suspended']);
    const html = await (await page(`/admin/users/${userId}`, ops.cookie!)).text();
    expect(html).toContain('203.0.113.5');
    expect(html).toContain('admin-http-test/1.0');
    expect(html).toContain('http test');
    expect(html).toContain('Suspended since');
    expect(html).toContain('data-testid="user-usage"'); // lib/usage's summary of the account

    expect((await sluice('user', 'unsuspend', '--email', USER.email)).code).toBe(0);
    expect((await tokenCheck()).status).toBe(200);
    expect((await signIn('198.51.100.31', USER)).error).toBeNull();
  });
});
