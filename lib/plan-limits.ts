// The plans' rate limits, applied in one place (the numbers are data in lib/plans.ts): API requests
// per token per minute, and submitted indicators per user per hour. Callers turn a refusal into a
// 429 with Retry-After; the message and code come from here, so REST and CLI users read the same.
import type { Engines } from './engines';
import type { PlanId } from './plans';
import { PLANS } from './plans';

export type LimitVerdict =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number; code: 'rate_limited' | 'submission_limit'; message: string };

/** One REST request by a token, against its owner's plan. */
export async function consumeApiRequest(engines: Pick<Engines, 'rateLimiter'>, planId: PlanId, tokenId: string): Promise<LimitVerdict> {
  const plan = PLANS[planId];
  const limit = await engines.rateLimiter({ name: `api:${plan.id}`, points: plan.apiRequestsPerMinute, durationSeconds: 60 }).consume(tokenId);
  if (limit.allowed) return limit;
  const retryAfterSeconds = Math.ceil(limit.retryAfterMs / 1000);
  return {
    allowed: false,
    retryAfterSeconds,
    code: 'rate_limited',
    message: `too many requests: ${plan.apiRequestsPerMinute} per minute on the ${plan.name} plan; retry in ${retryAfterSeconds} s`,
  };
}

/** `count` submitted indicators by a user, against the plan's hourly allowance. */
export async function consumeSubmissions(engines: Pick<Engines, 'rateLimiter'>, planId: PlanId, userId: string, count: number): Promise<LimitVerdict> {
  const plan = PLANS[planId];
  const limit = await engines.rateLimiter({ name: `submit:${plan.id}`, points: plan.submissionsPerHour, durationSeconds: 3600 }).consume(userId, count);
  if (limit.allowed) return limit;
  const retryAfterSeconds = Math.ceil(limit.retryAfterMs / 1000);
  return {
    allowed: false,
    retryAfterSeconds,
    code: 'submission_limit',
    message: `the ${plan.name} plan accepts ${plan.submissionsPerHour} indicators per hour; retry in ${retryAfterSeconds} s`,
  };
}
