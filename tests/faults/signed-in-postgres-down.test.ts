// A signed-in user while PostgreSQL is down: the session cannot be checked, which is not the same as
// "signed out". Signed-in pages answer 503 with Retry-After (not a redirect to the sign-in page),
// a server action answers `unavailable` (not "your session ended"), the session cookie is kept, and
// the same cookie works again once PostgreSQL is back — no restart, no new sign-in.
// Uses a PostgreSQL cluster of its own on a free port (tests/faults/private-postgres.ts).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/accounts/create-user';
import { signInOverHttp } from '@/tests/helpers/cookies';
import type { ServerProcess } from '@/tests/helpers/server-process';
import { startNodeOnPrivatePostgres, type NodeOnPrivatePostgres } from './node-on-private-postgres';
import { privatePostgresUnavailable, type PrivatePostgres } from './private-postgres';

const unavailable = privatePostgresUnavailable();
const USER = { email: 'outage@example.com', password: 'amber lighthouse keepers' };
const PAGES = ['/dashboard', '/settings', '/usage'];

/** The id the build gave a server action (the `next-action` header a form sends). */
function actionId(exportedName: string): string {
  const manifest = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../.next/server/server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { exportedName?: string }>;
  };
  const entry = Object.entries(manifest.node).find(([, v]) => v.exportedName === exportedName);
  if (!entry) throw new Error(`${exportedName} not in the build`);
  return entry[0];
}

describe.skipIf(unavailable)('signed in while PostgreSQL is down', () => {
  let node: NodeOnPrivatePostgres;
  let cluster: PrivatePostgres;
  let server: ServerProcess;
  let cookie: string;

  beforeAll(async () => {
    node = await startNodeOnPrivatePostgres(async (db) => void (await createUser(db.prisma, USER)), { TRUST_PROXY: 'loopback' });
    ({ cluster, server } = node);
    const signedIn = await signInOverHttp(server.url, USER, '198.51.100.77');
    expect(signedIn.error).toBeNull();
    cookie = signedIn.cookie!;
  }, 180_000);
  afterAll(async () => {
    await node?.stop();
  });

  const get = (target: string) => fetch(server.url + target, { headers: { cookie }, redirect: 'manual', signal: AbortSignal.timeout(20_000) });
  const createToken = async () => {
    const res = await fetch(`${server.url}/dashboard`, {
      method: 'POST',
      headers: { 'next-action': actionId('createTokenAction'), accept: 'text/x-component', 'content-type': 'text/plain;charset=UTF-8', origin: server.url, cookie },
      body: JSON.stringify([{ name: 'during-outage', scopes: ['read'] }]),
      signal: AbortSignal.timeout(20_000),
    });
    return { status: res.status, text: await res.text() };
  };

  it('answers 503 (pages) and unavailable (actions), keeps the session, and serves it again once PostgreSQL is back', async () => {
    for (const page of PAGES) expect((await get(page)).status, page).toBe(200);

    await cluster.stop();
    // The node remembers a checked session for 2 s (lib/accounts/sessions.ts): let that pass.
    await new Promise((r) => setTimeout(r, 2500));
    for (const page of PAGES) {
      const res = await get(page);
      await res.arrayBuffer();
      expect(res.status, `${page} → ${res.status} ${res.headers.get('location') ?? ''}`).toBe(503);
      expect(Number(res.headers.get('retry-after')), page).toBeGreaterThan(0);
      // The session cookie is not deleted by an outage.
      expect(res.headers.getSetCookie().filter((c) => /session-token=;/.test(c)), page).toEqual([]);
    }
    const action = await createToken();
    expect(action.text).toContain('"code":"unavailable"');
    expect(action.text).not.toContain('unauthenticated');

    await cluster.start();
    // The same cookie, without signing in again, once the node has reconnected by itself.
    let status = 0;
    const deadline = Date.now() + 30_000;
    while (status !== 200 && Date.now() < deadline) {
      const res = await get('/dashboard');
      await res.arrayBuffer();
      status = res.status;
      if (status !== 200) {
        expect(status, 'after the restart').toBe(503);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    expect(status).toBe(200);
    const created = await createToken();
    expect(created.text).toContain('"ok":true');
  }, 120_000);
});

if (unavailable) console.log(`[signed-in-pg-down] skipped: ${unavailable}`);
