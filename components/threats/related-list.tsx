// A short list of related public indicators, each linking to its own page (defanged text).
import Link from 'next/link';
import { defang } from '@/lib/indicators/defang';
import { formatCount, indicatorPath } from '@/lib/threats/format';
import type { RelatedIndicator } from '@/lib/threats/find-related-indicators';
import { TimeAgo } from './time-ago';
import { TypeBadge } from './type-badge';

export function RelatedList({ title, items, now }: { title: string; items: RelatedIndicator[]; now: number }) {
  return (
    <div>
      <h3 className="text-[11px] font-medium tracking-wider text-slate-500 uppercase">{title}</h3>
      <ul className="mt-2 space-y-2">
        {items.map((r) => (
          <li key={`${r.type}:${r.value}`} className="flex items-start gap-3 text-sm">
            <TypeBadge type={r.type} className="mt-0.5" />
            <Link href={indicatorPath(r.type, r.value)} className="min-w-0 flex-1 font-mono text-[13px] break-all text-slate-200 hover:text-brand-400">
              {defang(r.type, r.value)}
            </Link>
            <span className="shrink-0 text-xs text-slate-500">
              {formatCount(r.sightings)}× · <TimeAgo iso={r.lastSeen} now={now} />
            </span>
          </li>
        ))}
      </ul>
    </div>
  );
}
