// The usage page's body (app/(dashboard)/usage): today against the plan's allowances, per-hour and
// per-day charts (server-rendered SVG, components/charts/bar-chart), and each token's figures.
// No client code: the metric is chosen with links (?metric=).
import Link from 'next/link';
import { BarChart } from '@/components/charts/bar-chart';
import { Card, CardHeader, cx } from '@/components/dashboard/ui';
import type { UsageAllowance, UsageSummary, UsageTotals } from '@/lib/usage';

export const USAGE_METRICS = {
  requests: { label: 'Requests', unit: 'requests' },
  lookups: { label: 'Lookups', unit: 'lookups' },
  submissions: { label: 'Submissions', unit: 'indicators submitted' },
  eventsDelivered: { label: 'Events delivered', unit: 'events delivered' },
  streamSeconds: { label: 'Stream time', unit: 'seconds streamed' },
} as const satisfies Record<string, { label: string; unit: string }>;
export type UsageMetric = keyof typeof USAGE_METRICS;

const n = (value: number) => value.toLocaleString('en-US');

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return `${n(hours)} h ${minutes % 60} min`;
}

const show = (metric: UsageMetric, totals: UsageTotals) => (metric === 'streamSeconds' ? formatDuration(totals.streamSeconds) : n(totals[metric]));

export function AllowanceMeter({ allowance }: { allowance: UsageAllowance }) {
  const tone = allowance.percent >= 100 ? 'bg-rose-500' : allowance.percent >= 80 ? 'bg-amber-400' : 'bg-brand-500';
  return (
    <div data-testid={`allowance-${allowance.name}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 text-sm">
        <span className="text-slate-300">{allowance.label}</span>
        <span className="tabular-nums text-slate-400">
          <span className="text-white">{n(allowance.used)}</span> of {n(allowance.limit)} · {allowance.percent} %
        </span>
      </div>
      <div className="mt-1.5 h-2 overflow-hidden rounded-full bg-white/10" role="meter" aria-valuemin={0} aria-valuemax={allowance.limit} aria-valuenow={Math.min(allowance.used, allowance.limit)} aria-label={allowance.label}>
        <div className={cx('h-full rounded-full', tone)} style={{ width: `${Math.min(100, allowance.percent)}%` }} />
      </div>
    </div>
  );
}

/** The dashboard's (and the usage page's) notice when an allowance is 80 % used or more. */
export function UsageWarning({ warnings }: { warnings: UsageAllowance[] }) {
  if (!warnings.length) return null;
  return (
    <div role="region" aria-label="Usage warning" data-testid="usage-warning" className="mt-6 rounded-xl border border-amber-400/30 bg-amber-500/10 px-4 py-3 text-sm text-amber-100">
      {warnings.map((w) => (
        <p key={w.name}>
          {w.label}: <span className="font-medium">{w.percent} %</span> of your plan’s allowance used ({n(w.used)} of {n(w.limit)}).
        </p>
      ))}
      <p className="pt-1">
        <Link href="/usage" className="font-medium text-amber-200 underline hover:text-white">
          See your usage →
        </Link>
      </p>
    </div>
  );
}

const hourLabel = (iso: string) => `${iso.slice(11, 13)}:00`;
const dayHourLabel = (iso: string) => `${iso.slice(5, 10)} ${hourLabel(iso)}`;

export function UsageView({ summary, metric }: { summary: UsageSummary; metric: UsageMetric }) {
  const { label, unit } = USAGE_METRICS[metric];
  const hours = summary.hours;
  const days = summary.days;
  const tiles: { key: string; label: string; value: string }[] = [
    { key: 'requests', label: 'Requests', value: n(summary.today.requests) },
    { key: 'lookups', label: 'Lookups', value: n(summary.today.lookups) },
    { key: 'submissions', label: 'Indicators submitted', value: n(summary.today.submissions) },
    { key: 'eventsDelivered', label: 'Events delivered', value: n(summary.today.eventsDelivered) },
    { key: 'streamSeconds', label: 'Stream time', value: formatDuration(summary.today.streamSeconds) },
    { key: 'limited', label: 'Refused (429)', value: n(summary.today.limited) },
  ];
  return (
    <div className="mt-6 space-y-6">
      <Card>
        <CardHeader
          title="Today against your plan"
          description={
            <>
              The {summary.plan.name} plan: {n(summary.plan.apiRequestsPerMinute)} requests a minute per token, {n(summary.requestsPerDay)} a day per account (UTC), and{' '}
              {n(summary.plan.burst.tokensPerMonth)} burst days a month at {summary.plan.burst.multiplier}× the daily allowance.
            </>
          }
        />
        <div className="space-y-4 px-5 py-5 sm:px-6">
          {summary.allowances.map((a) => (
            <AllowanceMeter key={a.name} allowance={a} />
          ))}
          <dl className="grid grid-cols-2 gap-3 pt-2 sm:grid-cols-3">
            {tiles.map((tile) => (
              <div key={tile.key} className="rounded-xl border border-white/5 bg-white/[0.02] px-3 py-2">
                <dt className="text-xs text-slate-400">{tile.label}</dt>
                <dd className="mt-0.5 text-lg font-semibold tabular-nums text-white" data-testid={`today-${tile.key}`}>
                  {tile.value}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      </Card>

      <Card>
        <CardHeader title={`${label}, per hour and per day`} description="Hours and days are UTC. Counted on every node and added up every few seconds." />
        <nav aria-label="Metric" className="flex flex-wrap gap-2 px-5 pt-4 sm:px-6">
          {(Object.keys(USAGE_METRICS) as UsageMetric[]).map((key) => (
            <Link
              key={key}
              href={key === 'requests' ? '/usage' : `/usage?metric=${key}`}
              aria-current={key === metric ? 'page' : undefined}
              className={cx(
                'rounded-full border px-3 py-1 text-xs',
                key === metric ? 'border-brand-400/60 bg-brand-500/15 text-white' : 'border-white/10 text-slate-400 hover:text-white',
              )}
            >
              {USAGE_METRICS[key].label}
            </Link>
          ))}
        </nav>
        <div className="space-y-6 px-5 py-5 sm:px-6">
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-300">Last 48 hours</h3>
            <BarChart
              label={`${label} per hour over the last 48 hours`}
              data={hours.map((h) => ({ title: `${h.hour.slice(0, 10)} ${hourLabel(h.hour)} UTC: ${show(metric, h.totals)} ${metric === 'streamSeconds' ? 'streamed' : unit}`, value: h.totals[metric] }))}
              ticks={[dayHourLabel(hours[0].hour), dayHourLabel(hours[Math.floor(hours.length / 2)].hour), `${hourLabel(hours[hours.length - 1].hour)} (now)`]}
            />
          </div>
          <div>
            <h3 className="mb-2 text-sm font-medium text-slate-300">Last {days.length} days</h3>
            <BarChart
              label={`${label} per day over the last ${days.length} days`}
              data={days.map((d) => ({ title: `${d.day}: ${show(metric, d.totals)} ${metric === 'streamSeconds' ? 'streamed' : unit}`, value: d.totals[metric] }))}
              ticks={[days[0].day.slice(5), days[Math.floor(days.length / 2)].day.slice(5), 'today']}
            />
          </div>
        </div>
      </Card>

      <Card>
        <CardHeader title="Per token" description={`Today and the last ${days.length} days. Revoked tokens still count for the account.`} />
        {summary.tokens.length === 0 ? (
          <p className="px-5 py-5 text-sm text-slate-400 sm:px-6">No tokens yet: create one on the dashboard.</p>
        ) : (
          <ul className="divide-y divide-white/5" data-testid="usage-tokens">
            {summary.tokens.map((token) => (
              <li key={token.tokenId} className="px-5 py-4 sm:px-6" data-testid="usage-token">
                <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                  <span className="min-w-0 break-words font-medium text-white">{token.name ?? 'deleted token'}</span>
                  <span className="font-mono text-xs text-slate-500">
                    {token.prefix ? `${token.prefix}…` : ''}
                    {token.revoked ? ' · revoked' : ''}
                  </span>
                </div>
                <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-sm sm:grid-cols-4">
                  <div>
                    <dt className="text-xs text-slate-500">Requests today</dt>
                    <dd className="tabular-nums text-slate-200" data-testid="token-requests-today">
                      {n(token.today.requests)}
                    </dd>
                  </div>
                  <div>
                    <dt className="text-xs text-slate-500">Requests, {days.length} days</dt>
                    <dd className="tabular-nums text-slate-200">{n(token.period.requests)}</dd>
                  </div>
                  <div>
                    <dt className="text-xs text-slate-500">Lookups · submitted</dt>
                    <dd className="tabular-nums text-slate-200">
                      {n(token.period.lookups)} · {n(token.period.submissions)}
                    </dd>
                  </div>
                  <div>
                    <dt className="text-xs text-slate-500">Streamed · events</dt>
                    <dd className="tabular-nums text-slate-200">
                      {formatDuration(token.period.streamSeconds)} · {n(token.period.eventsDelivered)}
                    </dd>
                  </div>
                </dl>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  );
}
