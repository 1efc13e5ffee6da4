// /feeds — the catalogue of public feeds: name, owner's display name (never an id or e-mail),
// description, volume (public sightings in 7 days) and last report. Computed once a minute per node.
import type { Metadata } from 'next';
import Link from 'next/link';
import { TimeAgo } from '@/components/threats/time-ago';
import { getRuntime } from '@/lib/runtime';
import { CATALOGUE_LIMIT, findPublicFeeds, formatCount, renderTime } from '@/lib/threats';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Public feeds', description: 'The public threat feeds reporting into Sluice, who runs them and how busy they are.' };

export default async function FeedsPage() {
  const feeds = await findPublicFeeds(getRuntime().db.sql);
  const now = renderTime();
  return (
    <div className="mx-auto max-w-5xl px-4 pt-8 pb-16 sm:px-6 sm:pt-12">
      <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">Public feeds</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight text-white">Who is reporting</h1>
      <p className="mt-2 max-w-2xl text-sm text-slate-400">
        Every public (TLP:CLEAR) feed, busiest first. Each has its own page, its recent reports and the filter to stream or export only it.{' '}
        <Link href="/threats/search" className="text-brand-400">
          Search indicators →
        </Link>
      </p>
      {feeds.length === 0 ? (
        <p className="mt-8 rounded-xl border border-white/10 px-5 py-12 text-center text-sm text-slate-300">No public feeds yet.</p>
      ) : (
        <ul aria-label="Public feeds" className="mt-6 divide-y divide-white/5 overflow-hidden rounded-xl border border-white/10 bg-white/[0.02]">
          {feeds.map((f) => (
            <li key={f.id} className="flex min-w-0 flex-col gap-1 px-4 py-4 sm:flex-row sm:items-start sm:justify-between sm:gap-4 sm:px-5">
              <div className="min-w-0">
                <Link href={`/feeds/${f.id}`} className="font-medium break-words text-slate-100 hover:text-brand-400">
                  {f.name}
                </Link>
                <span className="ml-2 font-mono text-xs break-all text-slate-500">{f.slug}</span>
                <p className="text-xs text-slate-400">
                  by <span data-testid="feed-owner">{f.owner}</span>
                </p>
                {f.description ? <p className="mt-1 text-sm break-words text-slate-300">{f.description}</p> : null}
              </div>
              <div className="shrink-0 text-xs text-slate-400 sm:text-right">
                <p>{formatCount(f.sightings7d)} public sightings · 7 days</p>
                <p>{f.lastReport ? <>last report <TimeAgo iso={f.lastReport} now={now} /></> : 'no public report yet'}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
      {feeds.length >= CATALOGUE_LIMIT ? <p className="mt-3 text-xs text-slate-500">The {CATALOGUE_LIMIT} busiest feeds are shown.</p> : null}
    </div>
  );
}
