// What an account used, read from usage_hours: per hour (the last 48), per day (the last 30 UTC
// days, a day being the sum of its hours), per token, and today against the plan's allowances.
// Used by /usage and the dashboard's warning; operators' pages call readUsageSummary too.
import type { PrismaClient } from '../db';
import { PLANS, type PlanDefinition, type PlanId } from '../plans';

export interface UsageTotals {
  requests: number;
  /** Requests refused with 429 by a plan's limit (counted in `requests` too). */
  limited: number;
  /** Indicators submitted. */
  submissions: number;
  /** /check and search requests (counted in `requests` too). */
  lookups: number;
  streamSeconds: number;
  eventsDelivered: number;
}

export interface UsageAllowance {
  /** What is limited. */
  name: 'requests_per_day' | 'submissions_per_hour';
  label: string;
  used: number;
  limit: number;
  /** used / limit, 0–100+ (rounded down). */
  percent: number;
}

export interface UsageSummary {
  plan: PlanDefinition;
  /** Requests per account per UTC day in force (the plan's, or the instance's override). */
  requestsPerDay: number;
  today: UsageTotals;
  currentHour: UsageTotals;
  /** The last `hours` hours, oldest first, zero-filled; `hour` is an ISO timestamp (UTC). */
  hours: { hour: string; totals: UsageTotals }[];
  /** The last `days` UTC days including today, oldest first, zero-filled; `day` is YYYY-MM-DD. */
  days: { day: string; totals: UsageTotals }[];
  /** The account's tokens with any use in the period, and its active tokens; busiest first. */
  tokens: { tokenId: string; name: string | null; prefix: string | null; revoked: boolean; today: UsageTotals; period: UsageTotals }[];
  /** Today's use of each allowance. */
  allowances: UsageAllowance[];
  /** The allowances at or above 80 % (the dashboard warns). */
  warnings: UsageAllowance[];
}

export interface ReadUsageOptions {
  /** @default 30 */
  days?: number;
  /** @default 48 */
  hours?: number;
  /** Instance-wide requests-per-day override (config API_REQUESTS_PER_DAY). */
  requestsPerDay?: number;
  now?: Date;
}

export const WARN_PERCENT = 80;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const zeroTotals = (): UsageTotals => ({ requests: 0, limited: 0, submissions: 0, lookups: 0, streamSeconds: 0, eventsDelivered: 0 });

type Sums = { requests: number | null; limited: number | null; submissions: number | null; lookups: number | null; streamSeconds: number | null; eventsDelivered: bigint | number | null };
const SUM = { requests: true, limited: true, submissions: true, lookups: true, streamSeconds: true, eventsDelivered: true } as const;

function totalsOf(sum: Sums): UsageTotals {
  return {
    requests: sum.requests ?? 0,
    limited: sum.limited ?? 0,
    submissions: sum.submissions ?? 0,
    lookups: sum.lookups ?? 0,
    streamSeconds: sum.streamSeconds ?? 0,
    eventsDelivered: Number(sum.eventsDelivered ?? 0),
  };
}

function addInto(into: UsageTotals, more: UsageTotals): void {
  for (const key of Object.keys(into) as (keyof UsageTotals)[]) into[key] += more[key];
}

/** The plan's allowance of requests per UTC day (or the instance's override). */
export function requestsPerDayFor(planId: PlanId, override?: number): number {
  return override ?? PLANS[planId].apiRequestsPerDay;
}

/**
 * An account's usage (for /usage, the dashboard and operators' pages). Throws when the user does
 * not exist; reads at most (days × 24) hour rows plus one row per token.
 */
export async function readUsageSummary(prisma: PrismaClient, userId: string, options: ReadUsageOptions = {}): Promise<UsageSummary> {
  const now = options.now ?? new Date();
  const dayCount = Math.min(Math.max(1, options.days ?? 30), 90);
  const hourCount = Math.min(Math.max(1, options.hours ?? 48), 24 * 7);
  const todayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS;
  const hourStart = Math.floor(now.getTime() / HOUR_MS) * HOUR_MS;
  const periodStart = new Date(Math.min(todayStart - (dayCount - 1) * DAY_MS, hourStart - (hourCount - 1) * HOUR_MS));

  const user = await prisma.user.findUniqueOrThrow({ where: { id: userId }, select: { plan: true } });
  const plan = PLANS[user.plan];
  const [byHour, tokenPeriod, tokenToday] = await Promise.all([
    prisma.usageHour.groupBy({ by: ['hour'], where: { userId, hour: { gte: periodStart } }, _sum: SUM, orderBy: { hour: 'asc' } }),
    prisma.usageHour.groupBy({ by: ['tokenId'], where: { userId, hour: { gte: new Date(todayStart - (dayCount - 1) * DAY_MS) } }, _sum: SUM }),
    prisma.usageHour.groupBy({ by: ['tokenId'], where: { userId, hour: { gte: new Date(todayStart) } }, _sum: SUM }),
  ]);

  const hourTotals = new Map<number, UsageTotals>();
  for (const row of byHour) hourTotals.set(row.hour.getTime(), totalsOf(row._sum));
  const hours = [];
  for (let i = hourCount - 1; i >= 0; i -= 1) {
    const at = hourStart - i * HOUR_MS;
    hours.push({ hour: new Date(at).toISOString(), totals: hourTotals.get(at) ?? zeroTotals() });
  }
  const dayTotals = new Map<number, UsageTotals>();
  for (const [at, totals] of hourTotals) {
    const day = Math.floor(at / DAY_MS) * DAY_MS;
    if (!dayTotals.has(day)) dayTotals.set(day, zeroTotals());
    addInto(dayTotals.get(day)!, totals);
  }
  const days = [];
  for (let i = dayCount - 1; i >= 0; i -= 1) {
    const at = todayStart - i * DAY_MS;
    days.push({ day: new Date(at).toISOString().slice(0, 10), totals: dayTotals.get(at) ?? zeroTotals() });
  }
  const today = dayTotals.get(todayStart) ?? zeroTotals();
  const currentHour = hourTotals.get(hourStart) ?? zeroTotals();

  const periodByToken = new Map(tokenPeriod.map((r) => [r.tokenId, totalsOf(r._sum)]));
  const todayByToken = new Map(tokenToday.map((r) => [r.tokenId, totalsOf(r._sum)]));
  const known = await prisma.apiToken.findMany({
    where: { userId, OR: [{ revokedAt: null }, { id: { in: [...periodByToken.keys()] } }] },
    select: { id: true, name: true, prefix: true, revokedAt: true },
  });
  const byId = new Map(known.map((t) => [t.id, t]));
  const tokenIds = new Set([...periodByToken.keys(), ...known.map((t) => t.id)]);
  const tokens = [...tokenIds]
    .map((tokenId) => {
      const token = byId.get(tokenId);
      return {
        tokenId,
        name: token?.name ?? null,
        prefix: token?.prefix ?? null,
        revoked: !token || token.revokedAt !== null,
        today: todayByToken.get(tokenId) ?? zeroTotals(),
        period: periodByToken.get(tokenId) ?? zeroTotals(),
      };
    })
    .sort((a, b) => b.period.requests - a.period.requests || (a.name ?? '').localeCompare(b.name ?? ''));

  const requestsPerDay = requestsPerDayFor(plan.id, options.requestsPerDay);
  const allowance = (name: UsageAllowance['name'], label: string, used: number, limit: number): UsageAllowance => ({
    name,
    label,
    used,
    limit,
    percent: limit > 0 ? Math.floor((used / limit) * 100) : 0,
  });
  const allowances = [
    allowance('requests_per_day', 'API requests today', today.requests, requestsPerDay),
    allowance('submissions_per_hour', 'Indicators submitted this hour', currentHour.submissions, plan.submissionsPerHour),
  ];
  return {
    plan,
    requestsPerDay,
    today,
    currentHour,
    hours,
    days,
    tokens,
    allowances,
    warnings: allowances.filter((a) => a.percent >= WARN_PERCENT),
  };
}
