// Filters by type (links) and tag (a GET form to /threats/search): plain HTML, works without JavaScript.
import { INDICATOR_TYPES } from '@/lib/indicators/types';
import { TYPE_LABELS } from '@/lib/threats/format';
import { threatsPath } from '@/lib/threats/paths';
import type { ThreatFilters } from '@/lib/threats/types';

const pill = (active: boolean) =>
  `whitespace-nowrap rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset transition ${
    active ? 'bg-brand-500 text-ink-950 ring-brand-400' : 'bg-white/[0.03] text-slate-300 ring-white/10 hover:bg-white/10 hover:text-white'
  }`;

export function FilterBar({ filters }: { filters: ThreatFilters }) {
  return (
    <div className="flex flex-col gap-3 lg:flex-row lg:items-center lg:justify-between">
      <nav aria-label="Filter by type" className="-mx-4 flex gap-1.5 overflow-x-auto px-4 pb-1 sm:mx-0 sm:flex-wrap sm:overflow-visible sm:px-0 sm:pb-0">
        <a href={threatsPath({ tag: filters.tag })} className={pill(!filters.type)} aria-current={!filters.type ? 'page' : undefined}>
          All types
        </a>
        {INDICATOR_TYPES.map((type) => (
          <a key={type} href={threatsPath({ type, tag: filters.tag })} className={pill(filters.type === type)} aria-current={filters.type === type ? 'page' : undefined}>
            {TYPE_LABELS[type]}
          </a>
        ))}
      </nav>
      <form method="get" action="/threats/search" className="flex w-full gap-2 lg:w-auto" role="search">
        {filters.type ? <input type="hidden" name="type" value={filters.type} /> : null}
        <label htmlFor="tag-filter" className="sr-only">
          Tag
        </label>
        <input
          id="tag-filter"
          name="tag"
          defaultValue={filters.tag ?? ''}
          placeholder="Filter by tag, e.g. phishing"
          maxLength={64}
          autoComplete="off"
          className="min-w-0 flex-1 rounded-lg border border-white/10 bg-black/30 px-3 py-1.5 text-sm text-white placeholder:text-slate-500 focus:border-brand-400/60 focus:outline-none lg:w-60"
        />
        <button type="submit" className="rounded-lg border border-white/10 bg-white/5 px-3 py-1.5 text-sm font-medium text-slate-100 hover:bg-white/10">
          Filter
        </button>
      </form>
    </div>
  );
}
