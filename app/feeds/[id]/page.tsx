// /feeds/{id} — one public feed: who runs it (display name), what it reports, its recent reports
// (newest first, cursor-paged with ?before=) and how to stream or export just this feed.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { IndicatorList, PagerLinks } from '@/components/threats/indicator-list';
import { publicBaseUrl } from '@/lib/config';
import { isAppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { findFeedReports, formatCount, getPublicFeed, renderTime } from '@/lib/threats';

export const dynamic = 'force-dynamic';

type Params = Promise<{ id: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const feed = await getPublicFeed(getRuntime().db.sql, (await params).id);
  return { title: feed ? `${feed.name} — public feed` : 'Feed not found' };
}

export default async function FeedPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { id } = await params;
  const rawBefore = (await searchParams).before;
  const before = (Array.isArray(rawBefore) ? rawBefore[0] : rawBefore) ?? '';
  const runtime = getRuntime();
  const feed = await getPublicFeed(runtime.db.sql, id);
  if (!feed) notFound();
  let reports;
  try {
    reports = await findFeedReports(runtime.db.sql, feed.id, before || null);
  } catch (error) {
    if (isAppError(error) && error.status < 500) notFound();
    throw error;
  }
  const base = publicBaseUrl(runtime.config);
  const now = renderTime();
  const snippets = [
    { label: 'CLI', text: `npx sluice stream --feeds ${feed.slug}` },
    { label: 'NDJSON', text: `curl -N -H "Authorization: Bearer $SLUICE_TOKEN" -H 'Accept: application/x-ndjson' "${base}/api/v1/stream?feeds=${feed.slug}"` },
    { label: 'socket.io', text: `auth: { token, filters: { feeds: ['${feed.slug}'] } }` },
    { label: 'Blocklist', text: `${base}/api/v1/exports/domain.txt?feed=${feed.slug}` },
  ];

  return (
    <div className="mx-auto max-w-4xl px-4 pt-8 pb-16 sm:px-6 sm:pt-12">
      <Link href="/feeds" className="text-xs text-brand-400">
        ← Public feeds
      </Link>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight break-words text-white">{feed.name}</h1>
      <p className="mt-1 text-sm text-slate-400">
        <span className="font-mono break-all">{feed.slug}</span> · by <span data-testid="feed-owner">{feed.owner}</span> · {formatCount(feed.sightings7d)} public sightings in 7 days
      </p>
      {feed.description ? <p className="mt-3 max-w-2xl text-sm break-words text-slate-300">{feed.description}</p> : null}

      <section aria-labelledby="stream-title" className="mt-6 rounded-xl border border-white/10 bg-white/[0.02] p-4 sm:p-5">
        <h2 id="stream-title" className="text-sm font-medium text-white">
          Stream or export only this feed
        </h2>
        <p className="mt-1 text-xs text-slate-400">
          The filter is the feed&apos;s slug, <code className="text-slate-200">{feed.slug}</code>
          {feed.slugShared ? ': other public feeds share this slug, and a filter by slug receives them too.' : '.'}
        </p>
        <dl className="mt-3 space-y-2">
          {snippets.map((s) => (
            <div key={s.label} className="min-w-0">
              <dt className="text-xs text-slate-500">{s.label}</dt>
              <dd>
                <pre className="overflow-x-auto rounded-md bg-black/30 px-3 py-2 font-mono text-xs text-slate-300">{s.text}</pre>
              </dd>
            </div>
          ))}
        </dl>
      </section>

      <section aria-labelledby="reports-title" className="mt-6 overflow-hidden rounded-xl border border-white/10 bg-white/[0.02]">
        <h2 id="reports-title" className="border-b border-white/5 px-5 py-3 text-sm font-medium text-white">
          Recent reports
        </h2>
        <IndicatorList
          label="Recent reports"
          now={now}
          empty={before ? 'No older reports.' : 'No public reports yet.'}
          items={reports.items.map((r, n) => ({
            key: `${n}:${r.type}:${r.value}`,
            type: r.type,
            value: r.value,
            at: r.reportedAt,
            meta: (
              <>
                {r.tags.slice(0, 4).map((t) => (
                  <span key={t}>#{t}</span>
                ))}
                <span>conf. {r.confidence}</span>
              </>
            ),
          }))}
        />
        <PagerLinks next={reports.next} first={before ? `/feeds/${feed.id}` : null} hrefFor={(c) => `/feeds/${feed.id}?before=${encodeURIComponent(c)}`} />
      </section>
    </div>
  );
}
