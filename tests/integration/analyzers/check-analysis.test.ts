// Over HTTP against a started node (ROLES=all): /check of a never-seen value answers at once with
// analysis pending, and later with its findings; the admin JSON routes refuse strangers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { createUserWithToken } from '@/tests/integration/ingest/helpers';
import { waitFor } from '../jobs/helpers';

let t: TestDatabase;
let server: ServerProcess;
let engines: ReturnType<typeof createTestEngines>;
let token: string;

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
  token = (await createUserWithToken(t.db, 'free')).token;
  if (t.db.kind === 'embedded') await t.db.close();
  server = await startServer({ ...t.env, ...engines.env, JOB_POLL_MS: '100' });
}, 120_000);
afterAll(async () => {
  await server?.stop();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop().catch(() => undefined);
});

const check = (value: string) => fetch(`${server.url}/api/v1/check/${encodeURIComponent(value)}`, { headers: { authorization: `Bearer ${token}` } });

describe('/check analysis', () => {
  it('answers a never-seen value at once with analysis pending, then with its findings', async () => {
    const value = 'http://never-seen-before.xyz/dropper.bin';
    await check('warm-up.xyz'); // the first request loads the route module; time the second
    const started = Date.now();
    const first = await check(value);
    const elapsed = Date.now() - started;
    expect(first.status).toBe(200);
    const body = (await first.json()) as { known: boolean; analysis: { status: string; findings: unknown[] } };
    expect(body.known).toBe(false);
    expect(body.analysis).toEqual({ status: 'pending', findings: [], updatedAt: null });
    expect(elapsed).toBeLessThan(1000);

    const done = await waitFor(async () => {
      const b = (await (await check(value)).json()) as { analysis: { status: string; findings: { kind: string; related?: { value: string }[] }[] } };
      return b.analysis.status === 'done' ? b.analysis : null;
    }, 20_000, 'the analysis');
    expect(done.findings).toEqual([expect.objectContaining({ analyzer: 'decomposition', kind: 'host', related: [expect.objectContaining({ type: 'domain', value: 'never-seen-before.xyz' })] })]);
  });
});

describe('admin routes', () => {
  it('refuse requests without an operator session, and cross-origin POSTs', async () => {
    expect((await fetch(`${server.url}/api/admin/jobs`)).status).toBe(401);
    const post = await fetch(`${server.url}/api/admin/jobs/dead-letters/1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ action: 'retry' }),
    });
    expect(post.status).toBe(403);
    const anonymous = await fetch(`${server.url}/api/admin/jobs/dead-letters/1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: server.url },
      body: JSON.stringify({ action: 'retry' }),
    });
    expect(anonymous.status).toBe(401);
  });
});
