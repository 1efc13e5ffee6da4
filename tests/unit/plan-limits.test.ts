// The plans' rate limits in one place (lib/plan-limits.ts), on the in-memory engine.
import { describe, expect, it } from 'vitest';
import { createEngines } from '@/lib/engines';
import { consumeApiRequest, consumeSubmissions } from '@/lib/plan-limits';
import { PLANS } from '@/lib/plans';

const engines = () => createEngines({ REDIS_URL: undefined, REDIS_PREFIX: 'test:', LOG_RETENTION_HOURS: 1, LOG_MAX_LENGTH: 1000 });

describe('plan limits', () => {
  it('allows a token its plan’s requests per minute, then refuses with rate_limited and a retry time', async () => {
    const e = engines();
    const allowance = PLANS.free.apiRequestsPerMinute;
    for (let i = 0; i < allowance; i += 1) expect((await consumeApiRequest(e, 'free', 'token-a')).allowed).toBe(true);
    const refused = await consumeApiRequest(e, 'free', 'token-a');
    expect(refused).toMatchObject({ allowed: false, code: 'rate_limited' });
    if (!refused.allowed) {
      expect(refused.retryAfterSeconds).toBeGreaterThan(0);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(refused.message).toContain(`${allowance} per minute on the Free plan`);
    }
    // Another token of the same plan has its own allowance.
    expect((await consumeApiRequest(e, 'free', 'token-b')).allowed).toBe(true);
  });

  it('counts submitted indicators per user per hour, a batch at a time', async () => {
    const e = engines();
    const allowance = PLANS.free.submissionsPerHour;
    expect(await consumeSubmissions(e, 'free', 'user-a', allowance - 1)).toMatchObject({ allowed: true, remaining: 1 });
    const refused = await consumeSubmissions(e, 'free', 'user-a', 2);
    expect(refused).toMatchObject({ allowed: false, code: 'submission_limit' });
    if (!refused.allowed) expect(refused.message).toContain(`${allowance} indicators per hour`);
  });
});
