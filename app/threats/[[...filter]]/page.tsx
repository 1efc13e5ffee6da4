// /threats — what the community is reporting now: a random sample of the most recent public
// indicators (server-rendered, works without JavaScript), a 24-hour chart, totals, live updates.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { BarChart } from '@/components/charts/bar-chart';
import { FilterBar } from '@/components/threats/filter-bar';
import { LiveThreats } from '@/components/threats/live-threats';
import { StatCard } from '@/components/threats/stat-card';
import { TagChip } from '@/components/threats/tag-chip';
import { ThreatListHeader, toRowItem } from '@/components/threats/threat-row';
import { getRuntime } from '@/lib/runtime';
import { formatCount, getCachedThreatTotals, getThreatsView, parseThreatsPath, threatFiltersQuery, TYPE_LABELS } from '@/lib/threats';
import { topTags } from '@/lib/threats/format';

// Rendered by Next from the in-memory views of lib/threats, but not per request: the HTTP server
// (server/page-snapshots.ts) renders each canonical view once per PUBLIC_SNAPSHOT_INTERVAL_MS into a
// snapshot and serves every request from it with a fresh CSP nonce; a bounded set of views, so no
// visitor-chosen path multiplies the work or is written to disk (docs/threats.md).
export const dynamic = 'force-dynamic';

export const metadata: Metadata = {
  title: 'Threats being reported now',
  description: 'Malicious IPs, domains, URLs, emails and file hashes the Sluice community is reporting right now.',
};

type Params = Promise<{ filter?: string[] }>;

const hourLabel = (iso: string) => `${iso.slice(11, 16)} UTC`;

export default async function ThreatsPage({ params }: { params: Params }) {
  const filters = parseThreatsPath((await params).filter);
  if (!filters) notFound();
  const { sql } = getRuntime().db;
  const [{ list, perHour }, totals] = await Promise.all([getThreatsView(sql, filters), getCachedThreatTotals(sql)]);
  const now = Date.parse(list.generatedAt);
  const query = threatFiltersQuery(filters);
  const filtered = Boolean(filters.type || filters.tag);
  const chartTotal = perHour.reduce((sum, b) => sum + b.count, 0);
  const tags = topTags(list.items, 12);

  return (
    <div className="mx-auto max-w-6xl px-4 pt-8 pb-16 sm:px-6 sm:pt-12">
      <header className="flex flex-col gap-4 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">Public threats</p>
          <h1 className="mt-2 text-3xl font-semibold tracking-tight text-white sm:text-4xl">What is being reported now</h1>
          <p className="mt-2 max-w-2xl text-sm text-slate-400 sm:text-base">
            A random sample of the {formatCount(list.poolSize)} most recent public indicators
            {filtered ? ' matching your filters' : ''}, refreshed every few seconds. Values are defanged: nothing here links to a
            malicious host.
          </p>
        </div>
        <div className="flex shrink-0 flex-wrap gap-2 text-sm">
          <Link href="/i" prefetch={false} className="rounded-lg border border-white/10 bg-white/[0.03] px-3 py-1.5 font-medium text-slate-200 hover:bg-white/10">
            Check an indicator
          </Link>
          <a href={`/threats.json${query}`} className="rounded-lg border border-white/10 bg-white/[0.03] px-3 py-1.5 font-medium text-slate-200 hover:bg-white/10">
            JSON
          </a>
          <a href={`/threats.csv${query}`} className="rounded-lg border border-white/10 bg-white/[0.03] px-3 py-1.5 font-medium text-slate-200 hover:bg-white/10">
            CSV
          </a>
        </div>
      </header>

      <section aria-label="Totals" className="mt-8 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <StatCard label="Public indicators" value={formatCount(totals.indicators)} hint="seen by at least one public feed" accent />
        <StatCard label="Sightings · 24 h" value={formatCount(totals.sightings24h)} hint={`${formatCount(totals.lastMinute)} in the last minute`} />
        <StatCard label="New · 24 h" value={formatCount(totals.new24h)} hint="first public sighting" />
        <StatCard label="Active feeds · 24 h" value={formatCount(totals.activeFeeds24h)} hint="public feeds reporting" />
      </section>

      <section aria-labelledby="chart-title" className="mt-4 rounded-xl border border-white/10 bg-white/[0.025] p-4 sm:p-5">
        <div className="mb-4 flex flex-wrap items-baseline justify-between gap-2">
          <h2 id="chart-title" className="text-sm font-medium text-white">
            Public sightings per hour
            {filters.type ? ` · ${TYPE_LABELS[filters.type]}` : ''}
            {filters.tag ? ` · #${filters.tag}` : ''}
          </h2>
          <p className="text-xs text-slate-400">
            {formatCount(chartTotal)} in the last 24 hours
          </p>
        </div>
        <BarChart
          label={`Public sightings per hour over the last 24 hours: ${chartTotal} in total`}
          data={perHour.map((b) => ({ value: b.count, title: `${hourLabel(b.hour)}: ${b.count} sighting${b.count === 1 ? '' : 's'}` }))}
          ticks={[hourLabel(perHour[0].hour), hourLabel(perHour[8].hour), hourLabel(perHour[16].hour), 'now']}
        />
      </section>

      <section aria-label="Filters" className="mt-8 space-y-3">
        <FilterBar filters={filters} />
        {tags.length ? (
          <div className="flex flex-wrap items-center gap-1.5">
            <span className="mr-1 text-xs text-slate-500">Popular tags</span>
            {tags.map(({ tag, count }) => (
              <TagChip key={tag} tag={tag} count={count} active={filters.tag === tag} />
            ))}
            {filtered ? (
              <Link href="/threats" className="ml-1 text-xs text-brand-400 hover:text-brand-400">
                Clear filters
              </Link>
            ) : null}
          </div>
        ) : null}
      </section>

      <section aria-label="Indicators" className="mt-4 overflow-hidden rounded-xl border border-white/10 bg-white/[0.02]">
        <ThreatListHeader />
        <LiveThreats
          filters={filters}
          initial={list.items.map(toRowItem)}
          generatedAt={now}
          empty={
            <div className="px-5 py-16 text-center">
              <p className="text-sm text-slate-300">{filtered ? 'No public indicator matches these filters yet.' : 'No public indicators yet.'}</p>
              <p className="mt-1 text-xs text-slate-500">New reports appear here live as they arrive.</p>
            </div>
          }
        />
      </section>
      <p className="mt-4 text-xs text-slate-500">
        Times are last public sightings; hover one for the exact UTC time. Only public (TLP:CLEAR) feeds appear here.{' '}
        <Link href="/docs" className="text-brand-400 hover:text-brand-400">
          Stream all of it with the API →
        </Link>
      </p>
    </div>
  );
}
