// /threats/search?q= — public indicators by value or part of one (defanged input accepted), and
// without a query the chronological browse of every public indicator, newest first, cursor-paged
// (?before=). Also the target of the /threats filter form (?type=&tag= without q): it redirects to
// the filtered page's own URL, as the route it replaces did.
import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { IndicatorList, PagerLinks } from '@/components/threats/indicator-list';
import { LookupForm } from '@/components/threats/lookup-form';
import { isAppError } from '@/lib/errors';
import { isIndicatorType } from '@/lib/indicators/types';
import { getRuntime } from '@/lib/runtime';
import { browsePublicIndicators, formatCount, parseThreatFilters, publicFeedLabel, renderTime, SEARCH_LIMIT, SEARCH_RECENT_WINDOW, searchPublicIndicators, threatsPath } from '@/lib/threats';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Search public indicators', description: 'Find public indicators by value or part of one, or browse them newest first.' };

type Search = Promise<Record<string, string | string[] | undefined>>;
const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

export default async function SearchPage({ searchParams }: { searchParams: Search }) {
  const params = await searchParams;
  const q = first(params.q);
  const before = first(params.before);
  if (!q && !before && (params.type !== undefined || params.tag !== undefined)) {
    redirect(threatsPath(parseThreatFilters({ type: first(params.type), tag: first(params.tag) })));
  }
  const { sql } = getRuntime().db;
  const now = renderTime();

  return (
    <div className="mx-auto max-w-4xl px-4 pt-8 pb-16 sm:px-6 sm:pt-12">
      <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">Public indicators</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight text-white">{q ? 'Search' : 'Every public indicator, newest first'}</h1>
      <div className="mt-5">
        <LookupForm kind="search" defaultValue={q} />
      </div>
      <p className="mt-2 text-xs text-slate-500">
        Exact values, and values starting or ending with your text (a domain finds its subdomains), over every public indicator; other
        substrings among the {formatCount(SEARCH_RECENT_WINDOW)} most recently seen. Defanged input works.{' '}
        <Link href="/feeds" className="text-brand-400">
          Browse by feed →
        </Link>
      </p>
      <section className="mt-6 overflow-hidden rounded-xl border border-white/10 bg-white/[0.02]">
        {q ? <Results q={q} now={now} sql={sql} /> : <Browse before={before} type={first(params.type)} now={now} sql={sql} />}
      </section>
    </div>
  );
}

type Sql = ReturnType<typeof getRuntime>['db']['sql'];

async function Results({ q, now, sql }: { q: string; now: number; sql: Sql }) {
  const result = await searchPublicIndicators(sql, q);
  if (!result.ok) return <p className="px-5 py-10 text-center text-sm text-slate-300">{result.reason}</p>;
  return (
    <>
      {result.hits.length ? (
        <p className="border-b border-white/5 px-5 py-2 text-xs text-slate-400" role="status">
          {result.hits.length} public indicator{result.hits.length === 1 ? '' : 's'} for “{result.q}”
          {result.limited ? ` — the first ${SEARCH_LIMIT}; narrow the search for the rest.` : ''}
        </p>
      ) : null}
      <IndicatorList
        label="Search results"
        now={now}
        empty={<>No public indicator matches “{result.q}”.</>}
        items={result.hits.map((h) => ({
          key: `${h.type}:${h.value}`,
          type: h.type,
          value: h.value,
          at: h.lastSeen,
          meta: (
            <>
              <span>{h.match}</span>
              <span>
                {formatCount(h.sightings)} sighting{h.sightings === 1 ? '' : 's'}
              </span>
            </>
          ),
        }))}
      />
    </>
  );
}

async function Browse({ before, type, now, sql }: { before: string; type: string; now: number; sql: Sql }) {
  let page;
  try {
    page = await browsePublicIndicators(sql, { before: before || null, type: isIndicatorType(type) ? type : null });
  } catch (error) {
    if (isAppError(error) && error.status < 500) notFound(); // a page link we never gave out
    throw error;
  }
  const base = isIndicatorType(type) ? `/threats/search?type=${type}&` : '/threats/search?';
  return (
    <>
      <IndicatorList
        label="Public indicators"
        now={now}
        empty={before ? 'No older public indicators.' : 'No public indicators yet.'}
        items={page.items.map((i) => ({
          key: `${i.type}:${i.value}`,
          type: i.type,
          value: i.value,
          at: i.firstSeen,
          meta: (
            <>
              <span>{publicFeedLabel(i.feed)}</span>
              {i.feed?.owner ? <span>by {i.feed.owner}</span> : null}
              <span>conf. {i.confidence}</span>
            </>
          ),
        }))}
      />
      <PagerLinks next={page.next} first={before ? base.slice(0, -1) : null} hrefFor={(c) => `${base}before=${encodeURIComponent(c)}`} />
    </>
  );
}
