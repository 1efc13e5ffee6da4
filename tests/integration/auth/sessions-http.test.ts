// Sign-in and sign-out over real HTTP against a started node (needs a build: npm run build).
// Sessions end on sign-out on every device, a copied cookie included; a stranger's wrong passwords
// slow the stranger (429 + Retry-After), never the owner. TRUST_PROXY=loopback lets the test play
// clients at different addresses through X-Forwarded-For, as a reverse proxy on the machine would.
import { describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { cookieHeader, setCookies } from '../../helpers/cookies';
import { setUpSeededServer } from '@/tests/helpers/seeded-server';

const OWNER = { email: 'owner@example.com', password: 'correct horse battery' };

const node = setUpSeededServer(async ({ db }) => {
  const owner = await createUser(db.prisma, OWNER);
  await db.prisma.user.update({ where: { id: owner.id }, data: { isAdmin: true } });
}, { env: { TRUST_PROXY: 'loopback' } });


async function csrf(ip: string): Promise<{ token: string; jar: Map<string, string> }> {
  const res = await fetch(`${node.server.url}/api/auth/csrf`, { headers: { 'x-forwarded-for': ip } });
  return { token: ((await res.json()) as { csrfToken: string }).csrfToken, jar: setCookies(res) };
}

/** Signs in as the sign-in form does (next-auth's credentials callback, json=true). */
async function signIn(ip: string, credentials = OWNER) {
  const { token, jar } = await csrf(ip);
  const res = await fetch(`${node.server.url}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar), 'x-forwarded-for': ip },
    body: new URLSearchParams({ ...credentials, csrfToken: token, json: 'true', callbackUrl: `${node.server.url}/dashboard` }),
  });
  const body = (await res.json()) as { url: string };
  const error = new URL(body.url).searchParams.get('error');
  for (const [k, v] of setCookies(res)) jar.set(k, v);
  const session = [...jar].find(([k]) => k.endsWith('next-auth.session-token'));
  return { res, error, cookie: session && session[1] ? cookieHeader(jar) : null };
}

async function signOut(cookie: string, ip: string) {
  const { token, jar } = await csrf(ip);
  const res = await fetch(`${node.server.url}/api/auth/signout`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${cookie}; ${cookieHeader(jar)}`, 'x-forwarded-for': ip },
    body: new URLSearchParams({ csrfToken: token, json: 'true', callbackUrl: node.server.url }),
  });
  expect(res.status).toBe(200);
  return res;
}

/** What a cookie gets: the dashboard's status and redirect, an API route's status, the session's email. */
async function probe(cookie: string) {
  const dashboard = await fetch(`${node.server.url}/dashboard`, { redirect: 'manual', headers: { cookie } });
  const api = await fetch(`${node.server.url}/api/admin/jobs`, { headers: { cookie } });
  const session = (await (await fetch(`${node.server.url}/api/auth/session`, { headers: { cookie } })).json()) as { user?: { email?: string } };
  return { dashboard: dashboard.status, location: dashboard.headers.get('location'), api: api.status, email: session.user?.email ?? null };
}

describe('sessions end on sign-out', () => {
  it('a copied session cookie, and a session on another device, stop working once the user signs out', async () => {
    const laptop = await signIn('198.51.100.20');
    const phone = await signIn('198.51.100.21');
    expect(laptop.error).toBeNull();
    expect(laptop.cookie).toBeTruthy();
    expect(phone.cookie).toBeTruthy();
    const copied = laptop.cookie!;
    expect(await probe(copied)).toMatchObject({ dashboard: 200, api: 200, email: OWNER.email });
    expect(await probe(phone.cookie!)).toMatchObject({ dashboard: 200, email: OWNER.email });

    const out = await signOut(laptop.cookie!, '198.51.100.20');
    expect([...setCookies(out)].find(([k]) => k.endsWith('next-auth.session-token'))?.[1]).toBe('');

    // The node that signed out forgets at once; allow the 2 s version cache of other bundles or nodes.
    const started = Date.now();
    await expect
      .poll(async () => (await probe(copied)).dashboard, { timeout: 10_000, interval: 250 })
      .toBe(307);
    const ended = Date.now() - started;
    console.info(`copied cookie refused ${ended} ms after sign-out (cache at most 2000 ms)`);
    const after = await probe(copied);
    expect(after).toMatchObject({ dashboard: 307, api: 401, email: null });
    expect(after.location).toMatch(/\/login\?callbackUrl=%2Fdashboard$/);
    expect(await probe(phone.cookie!)).toMatchObject({ dashboard: 307, api: 401, email: null });

    // Signing in again gives a working session.
    const again = await signIn('198.51.100.20');
    expect(await probe(again.cookie!)).toMatchObject({ dashboard: 200, api: 200, email: OWNER.email });
  });
});

describe('sign-in under attack', () => {
  it("a stranger's 12 wrong passwords get 429 with Retry-After; the owner signs in from their address at once", async () => {
    const stranger = '203.0.113.66';
    const answers = [];
    for (let i = 0; i < 12; i++) {
      const { res, error } = await signIn(stranger, { email: OWNER.email, password: `wrong guess ${i}` });
      answers.push({ status: res.status, retryAfter: res.headers.get('retry-after'), error });
    }
    expect(answers.slice(0, 3).every((a) => a.status === 401 && a.error === 'Wrong email or password.')).toBe(true);
    console.info(`stranger's answers: ${answers.map((a) => a.status + (a.retryAfter ? ` (Retry-After ${a.retryAfter})` : '')).join(', ')}`);
    const last = answers.at(-1)!;
    expect(last.status).toBe(429);
    expect(Number(last.retryAfter)).toBeGreaterThan(0);
    expect(last.error).toMatch(/Try again in \d+ seconds?/);

    const owner = await signIn('198.51.100.20');
    expect(owner.error).toBeNull();
    expect(owner.res.status).toBe(200);
    expect(await probe(owner.cookie!)).toMatchObject({ dashboard: 200, email: OWNER.email });
  });
});
