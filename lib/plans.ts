// Plans as data: what each plan allows, its limits and price. Read through lib/entitlements.
export const PLAN_IDS = ['free', 'firehose'] as const;
export type PlanId = (typeof PLAN_IDS)[number];

export interface PlanDefinition {
  id: PlanId;
  name: string;
  priceMonthlyUsd: number;
  tagline: string;
  features: string[];
  /** May this plan's tokens connect to the firehose stream? */
  streaming: boolean;
  /**
   * Firehose streams one token may hold open at once, over every gateway node (0 when the plan
   * cannot stream). STREAMS_PER_TOKEN overrides it for the whole instance.
   */
  streamsPerToken: number;
  /** REST API requests per minute per token. */
  apiRequestsPerMinute: number;
  /** REST API requests per account per UTC day (all its tokens together). API_REQUESTS_PER_DAY overrides it. */
  apiRequestsPerDay: number;
  /**
   * Burst allowance, like proxycheck.io's burst tokens: the first request past a day's allowance
   * spends one token (automatically, at most one a day), and that day's allowance becomes
   * `multiplier` × apiRequestsPerDay. `tokensPerMonth` per UTC calendar month.
   */
  burst: { tokensPerMonth: number; multiplier: number };
  /** Indicators a user may submit per hour. */
  submissionsPerHour: number;
  /** Outbound webhook endpoints a user may register (docs/webhooks.md); 0 when the plan cannot stream. */
  webhooks: number;
}

export const PLANS: Record<PlanId, PlanDefinition> = {
  free: {
    id: 'free',
    name: 'Free',
    priceMonthlyUsd: 0,
    tagline: 'Look things up and share what you see.',
    features: ['Public threats page', 'Indicator lookups (/check)', 'Submit to your own feeds', '60 API requests / minute, 5,000 / day', '3 burst days a month (5× the daily allowance)'],
    streaming: false,
    streamsPerToken: 0,
    apiRequestsPerMinute: 60,
    apiRequestsPerDay: 5_000,
    burst: { tokensPerMonth: 3, multiplier: 5 },
    submissionsPerHour: 10_000,
    webhooks: 0,
  },
  firehose: {
    id: 'firehose',
    name: 'Firehose',
    priceMonthlyUsd: 25,
    tagline: 'Every public indicator, the moment it is reported.',
    features: [
      'Everything in Free',
      'Real-time streaming to all your API tokens',
      'Resume from any cursor in the last 24 hours',
      '10 concurrent streams per token',
      '600 API requests / minute, 250,000 / day',
      '10 burst days a month (5× the daily allowance)',
    ],
    streaming: true,
    streamsPerToken: 10,
    apiRequestsPerMinute: 600,
    apiRequestsPerDay: 250_000,
    burst: { tokensPerMonth: 10, multiplier: 5 },
    submissionsPerHour: 200_000,
    webhooks: 10,
  },
};
