// /i/{type}/{value} — one public indicator: counters, sightings over time, feeds and tags, recent
// sightings, related indicators and the check API's answer. Shareable; the value is URL-encoded.
// An indicator without public sightings is a 404, exactly like one nobody has reported.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { BarChart } from '@/components/charts/bar-chart';
import { NetworkLine } from '@/components/threats/network-line';
import { RelatedList } from '@/components/threats/related-list';
import { StatCard } from '@/components/threats/stat-card';
import { TagChip } from '@/components/threats/tag-chip';
import { TimeAgo } from '@/components/threats/time-ago';
import { TypeBadge } from '@/components/threats/type-badge';
import { defang } from '@/lib/indicators/defang';
import { getRuntime } from '@/lib/runtime';
import { formatCount, formatUtc, getCachedIndicatorPage, indicatorPath, parseIndicatorParams, TYPE_LABELS } from '@/lib/threats';
import { threatsPath } from '@/lib/threats/paths';
import { publicFeedLabel } from '@/lib/threats/public-feed';
import { getRetraction } from '@/lib/trust/retract';
import { DisputeSection, RetractedNotice, TrustNote } from './trust-notes';

export const dynamic = 'force-dynamic';

type Params = Promise<{ type: string; value: string[] }>;

// One encoded segment (the documented form) or a raw URL split on its slashes: both work.
const rawValue = (params: { value: string[] }) => params.value.map(safeDecode).join('/');
const requested = (params: { type: string; value: string[] }) => parseIndicatorParams(params.type, rawValue(params));

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const indicator = requested(await params);
  if (!indicator) return { title: 'Indicator not found' };
  return { title: `${TYPE_LABELS[indicator.type]} ${defang(indicator.type, indicator.value)}`, robots: { index: false } };
}

export default async function IndicatorPage({ params }: { params: Params }) {
  const p = await params;
  const indicator = requested(p);
  if (!indicator) notFound();
  // Defanged or written differently: send the browser to the one shareable URL.
  if (rawValue(p) !== indicator.value) redirect(indicatorPath(indicator.type, indicator.value));
  const data = await getCachedIndicatorPage(getRuntime().db.sql, indicator);
  if (!data) {
    const retraction = await getRetraction(getRuntime().db.sql, indicator); // docs/trust.md
    if (retraction) return <RetractedNotice indicator={indicator} retraction={retraction} />;
    notFound();
  }
  const { detail, check } = data;
  const now = Date.parse(data.generatedAt);
  const defanged = defang(detail.type, detail.value);
  const related = detail.related.sameHost.length + detail.related.sameNetwork.length;
  const days = detail.perDay;

  return (
    <div className="mx-auto max-w-6xl px-4 pt-8 pb-16 sm:px-6 sm:pt-12">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-400">
        <Link href="/threats" className="hover:text-white">
          Threats
        </Link>
        <span className="mx-2 text-slate-600">/</span>
        <Link href={threatsPath({ type: detail.type })} className="hover:text-white">
          {TYPE_LABELS[detail.type]}
        </Link>
      </nav>
      <header className="mt-4">
        <div className="flex items-center gap-3">
          <TypeBadge type={detail.type} />
          <span className="text-xs text-slate-400">
            last seen <TimeAgo iso={detail.lastSeen} now={now} className="text-slate-200" />
          </span>
        </div>
        <h1 className="mt-3 font-mono text-xl leading-snug font-semibold break-all text-white sm:text-3xl" data-testid="indicator-value">
          {defanged}
        </h1>
        <p className="mt-2 text-xs text-slate-500">Shown defanged. The canonical value is in the check answer below.</p>
        <NetworkLine enrichment={check.indicator} />
        {detail.tags.length ? (
          <div className="mt-4 flex flex-wrap gap-1.5">
            {detail.tags.map((t) => (
              <TagChip key={t.tag} tag={t.tag} count={t.count} />
            ))}
          </div>
        ) : null}
      </header>

      <section aria-label="Summary" className="mt-8 grid grid-cols-2 gap-3 lg:grid-cols-4">
        <StatCard label="Public sightings" value={formatCount(detail.sightings)} accent />
        <StatCard label="Highest confidence" value={`${detail.confidence}`} hint="of 100" />
        <StatCard label="First seen" value={<TimeAgo iso={detail.firstSeen} now={now} />} hint={formatUtc(detail.firstSeen)} />
        <StatCard label="Last seen" value={<TimeAgo iso={detail.lastSeen} now={now} />} hint={formatUtc(detail.lastSeen)} />
      </section>
      <TrustNote indicator={indicator} />
      <DisputeSection indicator={indicator} />

      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-3">
        <section aria-labelledby="over-time" className="rounded-xl border border-white/10 bg-white/[0.025] p-4 sm:p-5 lg:col-span-2">
          <h2 id="over-time" className="mb-4 text-sm font-medium text-white">
            Public sightings per day · last 30 days
          </h2>
          <BarChart
            label="Public sightings per day over the last 30 days"
            data={days.map((d) => ({ value: d.count, title: `${d.day}: ${d.count} sighting${d.count === 1 ? '' : 's'}` }))}
            ticks={[days[0].day.slice(5), days[10].day.slice(5), days[20].day.slice(5), 'today']}
            height="7rem"
          />
        </section>
        <section aria-labelledby="feeds" className="rounded-xl border border-white/10 bg-white/[0.025] p-4 sm:p-5">
          <h2 id="feeds" className="text-sm font-medium text-white">
            Reported by {detail.feeds.length} public feed{detail.feeds.length === 1 ? '' : 's'}
          </h2>
          <ul className="mt-3 space-y-2.5">
            {detail.feeds.map((f) => (
              <li key={f.feed ? `${f.feed.owner}/${f.feed.slug}` : ''} className="flex items-baseline justify-between gap-3 text-sm">
                <span className="min-w-0">
                  <span className={`block truncate font-medium ${f.feed ? 'text-slate-200' : 'text-slate-400 italic'}`}>{publicFeedLabel(f.feed)}</span>
                  {f.feed ? (
                    <span className="block truncate text-xs text-slate-500">
                      {f.name}
                      {f.feed.owner ? ` · by ${f.feed.owner}` : ''}
                    </span>
                  ) : (
                    <span className="block truncate text-xs text-slate-500">reported while it was public</span>
                  )}
                </span>
                <span className="shrink-0 text-right text-xs text-slate-400">
                  {formatCount(f.sightings)}× · <TimeAgo iso={f.lastSeen} now={now} />
                </span>
              </li>
            ))}
          </ul>
        </section>
      </div>

      <section aria-labelledby="recent" className="mt-4 overflow-hidden rounded-xl border border-white/10 bg-white/[0.02]">
        <h2 id="recent" className="border-b border-white/5 px-4 py-3 text-sm font-medium text-white sm:px-5">
          Recent public sightings
        </h2>
        <ul className="divide-y divide-white/5">
          {detail.recent.map((s, i) => (
            <li key={i} className="flex flex-col gap-1.5 px-4 py-3 text-sm sm:flex-row sm:items-center sm:gap-4 sm:px-5">
              <TimeAgo iso={s.reportedAt} now={now} className="w-32 shrink-0 text-xs text-slate-400" />
              <span className="w-40 shrink-0 truncate text-slate-200">{publicFeedLabel(s.feed)}</span>
              <span className="flex min-w-0 flex-1 flex-wrap gap-1">
                {s.tags.map((tag) => (
                  <TagChip key={tag} tag={tag} />
                ))}
                {s.description ? <span className="truncate text-xs text-slate-400">{s.description}</span> : null}
              </span>
              <span className="shrink-0 text-xs text-slate-500">
                {s.port ? `port ${s.port} · ` : ''}confidence {s.confidence}
              </span>
            </li>
          ))}
        </ul>
      </section>

      <div className="mt-4 grid grid-cols-1 gap-4 lg:grid-cols-2">
        <section aria-labelledby="related" className="rounded-xl border border-white/10 bg-white/[0.025] p-4 sm:p-5">
          <h2 id="related" className="text-sm font-medium text-white">
            Related indicators
          </h2>
          {related ? (
            <div className="mt-3 space-y-5">
              {detail.related.sameHost.length ? <RelatedList title="Same host" items={detail.related.sameHost} now={now} /> : null}
              {detail.related.sameNetwork.length ? (
                <RelatedList title={detail.type === 'ipv4' ? 'Same /24 network' : 'Same network'} items={detail.related.sameNetwork} now={now} />
              ) : null}
            </div>
          ) : (
            <p className="mt-3 text-sm text-slate-500">No public indicator shares this one&apos;s host or network yet.</p>
          )}
        </section>
        <section aria-labelledby="check" className="rounded-xl border border-white/10 bg-white/[0.025] p-4 sm:p-5">
          <h2 id="check" className="text-sm font-medium text-white">
            The check API&apos;s answer
          </h2>
          <p className="mt-1 text-xs text-slate-400">
            What <code className="text-slate-300">GET /api/v1/check/…</code> returns from public data (signed-in callers also see their own
            private sightings).
          </p>
          <pre className="mt-3 overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-3 font-mono text-xs leading-5 text-slate-300" data-testid="check-answer">
            {JSON.stringify(check, null, 2)}
          </pre>
          <pre className="mt-2 overflow-x-auto rounded-lg border border-white/10 bg-black/40 p-3 font-mono text-xs text-slate-400">
            {`curl -H "Authorization: Bearer $SLUICE_TOKEN" \\\n  "$SLUICE_URL/api/v1/check/${encodeURIComponent(detail.value)}?type=${detail.type}"`}
          </pre>
        </section>
      </div>
    </div>
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
