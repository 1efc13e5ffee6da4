// A plain list of public indicators (search results, the chronological browse, a feed's reports):
// type, defanged value linking to our own indicator page, and a line of facts. Values wrap anywhere
// so that a long URL never pushes a phone-width page sideways.
import Link from 'next/link';
import type { ReactNode } from 'react';
import type { IndicatorType } from '@/lib/indicators/types';
import { defang } from '@/lib/indicators/defang';
import { indicatorPath } from '@/lib/threats/format';
import { TimeAgo } from './time-ago';
import { TypeBadge } from './type-badge';

export interface IndicatorListItem {
  key: string;
  type: IndicatorType;
  value: string;
  /** When, for "N minutes ago". */
  at: string;
  /** Facts after the time: feed, tags, confidence… */
  meta?: ReactNode;
}

export function IndicatorList({ items, now, empty, label }: { items: IndicatorListItem[]; now: number; empty: ReactNode; label: string }) {
  if (!items.length) return <div className="px-5 py-12 text-center text-sm text-slate-300">{empty}</div>;
  return (
    <ul aria-label={label} className="divide-y divide-white/5">
      {items.map((item) => (
        <li key={item.key} className="flex min-w-0 flex-col gap-1 px-4 py-3 sm:flex-row sm:items-center sm:gap-3 sm:px-5">
          <TypeBadge type={item.type} className="self-start sm:self-auto" />
          <Link href={indicatorPath(item.type, item.value)} prefetch={false} className="min-w-0 flex-1 font-mono text-sm break-all text-slate-100 hover:text-brand-400">
            {defang(item.type, item.value)}
          </Link>
          <span className="flex min-w-0 flex-wrap items-center gap-x-2 text-xs text-slate-400">
            <TimeAgo iso={item.at} now={now} />
            {item.meta}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** "Older →" link for keyset paging (and "Newest" back to the first page). */
export function PagerLinks({ next, hrefFor, first }: { next: string | null; hrefFor: (cursor: string) => string; first: string | null }) {
  if (!next && !first) return null;
  return (
    <nav aria-label="Pages" className="flex items-center justify-between gap-3 px-4 py-3 text-sm sm:px-5">
      {first ? (
        <Link href={first} className="text-brand-400 hover:text-brand-400">
          ← Newest
        </Link>
      ) : (
        <span />
      )}
      {next ? (
        <Link href={hrefFor(next)} rel="next" className="font-medium text-brand-400 hover:text-brand-400">
          Older →
        </Link>
      ) : null}
    </nav>
  );
}
