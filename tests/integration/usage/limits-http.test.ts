// The per-day allowance through a real node (REST): answers carry X-RateLimit-* for the token's
// minute and the account's UTC day; past the day (and its burst) a 429 daily_limit with Retry-After
// until midnight UTC. The node's usage (requests, refusals, lookups) reaches usage_hours at shutdown.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '@/lib/db';
import { PLANS } from '@/lib/plans';
import { createAccount } from '@/tests/helpers/fixtures';
import { withServer } from '@/tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;

beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines(t.db);
}, 120_000);
afterAll(async () => {
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop().catch(() => undefined);
});

describe('daily request allowance', () => {
  it('refuses past the day and its burst with 429 daily_limit, Retry-After and X-RateLimit-*, and counts the usage', async () => {
    const perDay = 3;
    const ceiling = perDay * PLANS.free.burst.multiplier;
    const account = await createAccount(t.db.prisma, { plan: 'free', scopes: ['read'] });
    // A second token of the same account shares the day.
    const { createApiToken } = await import('@/lib/tokens');
    const second = await createApiToken(t.db.prisma, { userId: account.user.id, name: 'second', scopes: ['read'] });
    if (t.db.kind === 'embedded') await t.db.close();

    const answers = await withServer({ ...t.env, ...engines.env, API_REQUESTS_PER_DAY: String(perDay) }, async (server) => {
      const get = (token: string) => fetch(`${server.url}/api/v1/check/usage-limit.example.net`, { headers: { authorization: `Bearer ${token}` } });
      const seen: Response[] = [];
      for (let i = 0; i < ceiling + 1; i += 1) seen.push(await get(i % 2 ? second.token : account.token));
      return Promise.all(seen.map(async (res) => ({ status: res.status, headers: Object.fromEntries(res.headers), body: await res.json() })));
    });

    const [first, , third, burst] = answers;
    expect(first.status).toBe(200);
    expect(first.headers).toMatchObject({
      'x-ratelimit-limit': String(PLANS.free.apiRequestsPerMinute),
      'x-ratelimit-limit-day': String(perDay),
      'x-ratelimit-remaining-day': String(perDay - 1),
    });
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(first.headers['x-ratelimit-reset-day'])).toBeGreaterThan(0);
    expect(Number(first.headers['x-ratelimit-reset-day'])).toBeLessThanOrEqual(86_400);
    expect(third.headers['x-ratelimit-remaining-day']).toBe('0');
    // Past the day's allowance a burst token is spent: the day's allowance is multiplied.
    expect(burst.status).toBe(200);
    expect(burst.headers).toMatchObject({ 'x-ratelimit-burst': 'active', 'x-ratelimit-limit-day': String(ceiling) });
    expect(answers.slice(0, ceiling).every((a) => a.status === 200)).toBe(true);

    const refused = answers[ceiling];
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'daily_limit' } });
    const secondsToMidnight = Math.ceil((Math.ceil(Date.now() / 86_400_000) * 86_400_000 - Date.now()) / 1000);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Math.abs(Number(refused.headers['retry-after']) - secondsToMidnight)).toBeLessThan(120);
    expect(refused.headers).toMatchObject({ 'x-ratelimit-remaining-day': '0', 'x-ratelimit-limit': String(PLANS.free.apiRequestsPerMinute) });
    expect(refused.headers['x-ratelimit-remaining']).toMatch(/^\d+$/);

    // The node stopped gracefully: its buffered usage was added at shutdown.
    const db: Database = t.db.kind === 'embedded' ? await openDatabase({ DATA_DIR: t.env.DATA_DIR }) : t.db;
    try {
      const rows = await db.sql.query<{ token_id: string; requests: number; limited: number; lookups: number }>(
        'SELECT token_id, requests, limited, lookups FROM usage_hours WHERE user_id = $1',
        [account.user.id],
      );
      const total = rows.reduce((sum, r) => ({ requests: sum.requests + r.requests, limited: sum.limited + r.limited, lookups: sum.lookups + r.lookups }), { requests: 0, limited: 0, lookups: 0 });
      expect(total).toEqual({ requests: ceiling + 1, limited: 1, lookups: ceiling });
      expect(new Set(rows.map((r) => r.token_id))).toEqual(new Set([account.tokenId, second.id]));
    } finally {
      if (db !== t.db) await db.close();
    }
  });
});
