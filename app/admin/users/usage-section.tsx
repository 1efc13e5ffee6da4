// The account's usage on /admin/users/[id] (lib/usage readUsageSummary, the same figures as the
// user's own usage page): today against the plan's allowances, the last 7 days, and per token.
import type { UsageSummary, UsageTotals } from '@/lib/usage';

const n = (v: number) => v.toLocaleString('en-US');
const duration = (seconds: number) => (seconds < 120 ? `${seconds} s` : seconds < 7200 ? `${Math.round(seconds / 60)} min` : `${(seconds / 3600).toFixed(1)} h`);
const line = (t: UsageTotals) =>
  `${n(t.requests)} requests (${n(t.limited)} limited) · ${n(t.lookups)} lookups · ${n(t.submissions)} submitted · ${duration(t.streamSeconds)} streaming · ${n(t.eventsDelivered)} events delivered`;

export function UsageSection({ usage }: { usage: UsageSummary }) {
  const week = usage.days.slice(-7);
  const activeTokens = usage.tokens.filter((t) => t.period.requests > 0 || t.period.streamSeconds > 0 || t.period.submissions > 0).slice(0, 20);
  return (
    <section className="mt-6 rounded-2xl border border-white/10 bg-white/[0.03] p-5 sm:p-6" aria-labelledby="usage-heading" data-testid="user-usage">
      <h2 id="usage-heading" className="text-lg font-semibold text-white">Usage</h2>
      <p className="mt-1 break-words text-sm text-slate-300">Today (UTC): {line(usage.today)}</p>
      <ul className="mt-3 space-y-1 text-sm">
        {usage.allowances.map((a) => (
          <li key={a.name} className={a.percent >= 80 ? 'text-amber-300' : 'text-slate-300'}>
            {a.label}: {n(a.used)} of {n(a.limit)} ({a.percent} %)
          </li>
        ))}
      </ul>
      <h3 className="mt-4 text-sm font-semibold text-slate-200">Last 7 days</h3>
      <ul className="mt-1 space-y-0.5 text-xs text-slate-400">
        {week.map((d) => (
          <li key={d.day} className="break-words"><span className="font-mono text-slate-300">{d.day}</span> {line(d.totals)}</li>
        ))}
      </ul>
      {activeTokens.length ? (
        <>
          <h3 className="mt-4 text-sm font-semibold text-slate-200">By token (last {usage.days.length} days)</h3>
          <ul className="mt-1 space-y-0.5 text-xs text-slate-400">
            {activeTokens.map((t) => (
              <li key={t.tokenId} className="break-words">
                <code className="font-mono text-slate-300">{t.prefix ? `${t.prefix}…` : 'deleted token'}</code> {t.name ?? ''}{t.revoked ? ' (revoked)' : ''}: {line(t.period)}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
