// The plans' rate limits, applied in one place (the numbers are data in lib/plans.ts): API requests
// per token per minute, per account per UTC day (with the plan's burst tokens), and submitted
// indicators per user per hour. Callers turn a refusal into a 429 with Retry-After and put
// `headers` (X-RateLimit-*, docs/api.md) on every answer; the message and code come from here, so
// REST and CLI users read the same.
import type { Engines } from './engines';
import type { PlanId } from './plans';
import { PLANS } from './plans';

export type LimitVerdict =
  | { allowed: true; remaining: number }
  | { allowed: false; retryAfterSeconds: number; code: 'rate_limited' | 'submission_limit' | 'daily_limit'; message: string };

/** A REST request's verdict, with the X-RateLimit-* headers every answer carries (429s included). */
export type ApiLimitVerdict = LimitVerdict & { headers: Record<string, string> };

export interface ApiRequester {
  tokenId: string;
  userId: string;
}

const DAY_MS = 86_400_000;

/** UTC date and month of `ms`, and the seconds until the next UTC midnight. */
function utcDay(ms: number) {
  const iso = new Date(ms).toISOString();
  return { day: iso.slice(0, 10), month: iso.slice(0, 7), secondsToMidnight: Math.max(1, Math.ceil((Math.floor(ms / DAY_MS + 1) * DAY_MS - ms) / 1000)) };
}

/**
 * One REST request by a token, against its owner's plan: the token's per-minute allowance, then the
 * account's per-day allowance. Past the day's allowance a burst token (if the month has one left)
 * raises that day's allowance to the plan's multiplier; concurrent first requests past the allowance
 * may each spend one (rare; in the account's favour of the doubt, never more than once per node).
 */
export async function consumeApiRequest(
  deps: { engines: Pick<Engines, 'rateLimiter'>; config: { API_REQUESTS_PER_DAY?: number } },
  planId: PlanId,
  who: ApiRequester,
  nowMs: number = Date.now(),
): Promise<ApiLimitVerdict> {
  const plan = PLANS[planId];
  const { engines } = deps;
  const perDay = deps.config.API_REQUESTS_PER_DAY ?? plan.apiRequestsPerDay;
  const { day, month, secondsToMidnight } = utcDay(nowMs);
  const headers: Record<string, string> = {
    'x-ratelimit-limit': String(plan.apiRequestsPerMinute),
    'x-ratelimit-remaining': '0',
    'x-ratelimit-reset': '60',
    'x-ratelimit-limit-day': String(perDay),
    'x-ratelimit-remaining-day': '0',
    'x-ratelimit-reset-day': String(secondsToMidnight),
  };

  const minute = await engines.rateLimiter({ name: `api:${plan.id}`, points: plan.apiRequestsPerMinute, durationSeconds: 60 }).consume(who.tokenId);
  if (!minute.allowed) {
    const retryAfterSeconds = Math.max(1, Math.ceil(minute.retryAfterMs / 1000));
    headers['x-ratelimit-reset'] = String(retryAfterSeconds);
    headers['retry-after'] = String(retryAfterSeconds);
    delete headers['x-ratelimit-remaining-day'];
    return {
      allowed: false,
      retryAfterSeconds,
      code: 'rate_limited',
      message: `too many requests: ${plan.apiRequestsPerMinute} per minute on the ${plan.name} plan; retry in ${retryAfterSeconds} s`,
      headers,
    };
  }
  headers['x-ratelimit-remaining'] = String(minute.remaining);
  headers['x-ratelimit-reset'] = String(Math.max(1, Math.ceil((minute.resetMs ?? 60_000) / 1000)));

  // The day counter holds up to the burst ceiling; past `perDay` a burst must be active today.
  const ceiling = perDay * Math.max(1, plan.burst.multiplier);
  const dayKey = `${who.userId}:${day}`;
  const daily = await engines.rateLimiter({ name: `api-day:${plan.id}`, points: ceiling, durationSeconds: 2 * 86_400 }).consume(dayKey);
  const refuse = (message: string): ApiLimitVerdict => {
    headers['retry-after'] = String(secondsToMidnight);
    headers['x-ratelimit-remaining-day'] = '0';
    return { allowed: false, retryAfterSeconds: secondsToMidnight, code: 'daily_limit', message, headers };
  };
  const burstToday = engines.rateLimiter({ name: 'api-burst-day', points: 1, durationSeconds: 2 * 86_400 });
  const spent = `the ${plan.name} plan allows ${perDay} requests per day (UTC) and this month's ${plan.burst.tokensPerMonth} burst tokens are spent; retry in ${secondsToMidnight} s, after midnight UTC`;
  if (!daily.allowed) {
    if ((await burstToday.peek(dayKey)).consumed === 0) return refuse(spent);
    headers['x-ratelimit-limit-day'] = String(ceiling);
    return refuse(`the ${plan.name} plan allows ${ceiling} requests on a burst day (UTC); retry in ${secondsToMidnight} s, after midnight UTC`);
  }
  const used = ceiling - daily.remaining;
  if (used <= perDay) {
    headers['x-ratelimit-remaining-day'] = String(perDay - used);
    return { allowed: true, remaining: minute.remaining, headers };
  }
  let active = (await burstToday.peek(dayKey)).consumed > 0;
  if (!active && plan.burst.tokensPerMonth > 0 && plan.burst.multiplier > 1) {
    // Keyed by month; 24 days is the longest window the in-memory engine can time (a 32-bit timer),
    // so a month whose first burst came before the 7th may see its count restart near its end.
    const tokens = await engines.rateLimiter({ name: `api-burst:${plan.id}`, points: plan.burst.tokensPerMonth, durationSeconds: 24 * 86_400 }).consume(`${who.userId}:${month}`);
    if (tokens.allowed) {
      await burstToday.consume(dayKey);
      active = true;
    }
  }
  if (!active) return refuse(spent);
  headers['x-ratelimit-limit-day'] = String(ceiling);
  headers['x-ratelimit-remaining-day'] = String(ceiling - used);
  headers['x-ratelimit-burst'] = 'active';
  return { allowed: true, remaining: minute.remaining, headers };
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
