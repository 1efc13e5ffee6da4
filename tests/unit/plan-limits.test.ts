// The plans' rate limits in one place (lib/plan-limits.ts), on the in-memory engine.
import { describe, expect, it } from 'vitest';
import { createEngines } from '@/lib/engines';
import { consumeApiRequest, consumeSubmissions } from '@/lib/plan-limits';
import { PLANS } from '@/lib/plans';

const engines = () => createEngines({ REDIS_URL: undefined, REDIS_PREFIX: 'test:', LOG_RETENTION_HOURS: 1, LOG_MAX_LENGTH: 1000 });
const USER = '00000000-0000-4000-8000-000000000001';
const api = (e: ReturnType<typeof engines>, tokenId: string) => consumeApiRequest({ engines: e, config: {} }, 'free', { tokenId, userId: USER });

describe('plan limits', () => {
  it('allows a token its plan’s requests per minute, then refuses with rate_limited and a retry time', async () => {
    const e = engines();
    const allowance = PLANS.free.apiRequestsPerMinute;
    for (let i = 0; i < allowance; i += 1) expect((await api(e, 'token-a')).allowed).toBe(true);
    const refused = await api(e, 'token-a');
    expect(refused).toMatchObject({ allowed: false, code: 'rate_limited' });
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(refused.message).toContain(`${allowance} per minute on the Free plan`);
    }
    // Another token of the same plan has its own allowance.
    expect((await api(e, 'token-b')).allowed).toBe(true);
  });

  it('counts submitted indicators per user per hour, a batch at a time', async () => {
    const e = engines();
    const allowance = PLANS.free.submissionsPerHour;
    expect(await consumeSubmissions(e, 'free', 'user-a', allowance - 1)).toMatchObject({ allowed: true, remaining: 1 });
    const refused = await consumeSubmissions(e, 'free', 'user-a', 2);
    expect(refused).toMatchObject({ allowed: false, code: 'submission_limit' });
    if (!refused.allowed) expect(refused.message).toContain(`${allowance} indicators per hour`);
  });

  it('counts requests per account per UTC day, spends a burst token past the allowance, and refuses until midnight UTC', async () => {
    const e = engines();
    const deps = { engines: e, config: { API_REQUESTS_PER_DAY: 3 } };
    const { multiplier, tokensPerMonth } = PLANS.free.burst;
    let n = 0;
    // A new token id each time: the per-minute allowance (per token) stays out of the way.
    const call = (at: number) => consumeApiRequest(deps, 'free', { tokenId: `t${(n += 1)}`, userId: USER }, at);
    const day = (d: number) => Date.UTC(2026, 10, d, 23, 59, 30);

    for (let i = 0; i < 3; i += 1) {
      const ok = await call(day(1));
      expect(ok.allowed).toBe(true);
      expect(ok.headers['x-ratelimit-limit-day']).toBe('3');
      expect(ok.headers['x-ratelimit-remaining-day']).toBe(String(2 - i));
      expect(ok.headers['x-ratelimit-reset-day']).toBe('30');
    }
    const burst = await call(day(1));
    expect(burst).toMatchObject({ allowed: true });
    expect(burst.headers).toMatchObject({ 'x-ratelimit-burst': 'active', 'x-ratelimit-limit-day': String(3 * multiplier) });
    for (let i = 4; i < 3 * multiplier; i += 1) expect((await call(day(1))).allowed).toBe(true);
    const refused = await call(day(1));
    expect(refused).toMatchObject({ allowed: false, code: 'daily_limit', retryAfterSeconds: 30 });
    expect(refused.headers).toMatchObject({ 'retry-after': '30', 'x-ratelimit-remaining-day': '0', 'x-ratelimit-reset-day': '30' });

    // The next days spend the month's other burst tokens; then the day's allowance is all there is.
    for (let d = 2; d <= tokensPerMonth; d += 1) {
      for (let i = 0; i < 4; i += 1) expect((await call(day(d))).allowed).toBe(true);
    }
    const last = tokensPerMonth + 1;
    for (let i = 0; i < 3; i += 1) expect((await call(day(last))).allowed).toBe(true);
    const spent = await call(day(last));
    expect(spent).toMatchObject({ allowed: false, code: 'daily_limit' });
    if (!spent.allowed) expect(spent.message).toContain('burst tokens are spent');
    // Another account has its own day.
    expect((await consumeApiRequest(deps, 'free', { tokenId: 'other', userId: '00000000-0000-4000-8000-000000000002' }, day(last))).allowed).toBe(true);
  });

  it('puts X-RateLimit-Reset (seconds) on answers and Retry-After on a per-minute refusal', async () => {
    const e = engines();
    const first = await api(e, 'token-r');
    expect(Number(first.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(first.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(60);
    expect(first.headers['x-ratelimit-limit']).toBe(String(PLANS.free.apiRequestsPerMinute));
    for (let i = 1; i < PLANS.free.apiRequestsPerMinute; i += 1) await api(e, 'token-r');
    const refused = await api(e, 'token-r');
    expect(refused.headers).toMatchObject({ 'x-ratelimit-remaining': '0', 'retry-after': expect.stringMatching(/^\d+$/) });
  });
});
