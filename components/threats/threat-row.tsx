// One indicator in the threats list. The value is defanged text inside a link to OUR indicator
// page — never a link to the target. React escapes it; nothing here uses dangerouslySetInnerHTML.
// Plain <a> rather than next/link: fifty rows must not prefetch fifty dynamic pages.
import { defang } from '@/lib/indicators/defang';
import { formatCount, indicatorPath } from '@/lib/threats/format';
import { publicFeedLabel } from '@/lib/threats/public-feed';
import type { ThreatItem } from '@/lib/threats/types';
import { TagChip } from './tag-chip';
import styles from './threats.module.css';
import { TimeAgo } from './time-ago';
import { TypeBadge } from './type-badge';

/** What a row shows: the part of a ThreatItem sent to the browser. */
export type ThreatRowItem = Pick<ThreatItem, 'type' | 'value' | 'tags' | 'sightings' | 'lastSeen'> & { feed: string };

export const threatKey = (item: Pick<ThreatItem, 'type' | 'value'>) => `${item.type}:${item.value}`;

export const toRowItem = (item: ThreatItem): ThreatRowItem => ({
  type: item.type,
  value: item.value,
  tags: item.tags,
  feed: publicFeedLabel(item.feed),
  sightings: item.sightings,
  lastSeen: item.lastSeen,
});

export function ThreatRow({ item, now, fresh = false }: { item: ThreatRowItem; now: number; fresh?: boolean }) {
  return (
    <li data-threat-key={threatKey(item)} className={fresh ? `${styles.row} ${styles.fresh}` : styles.row}>
      <TypeBadge type={item.type} />
      <div className="min-w-0">
        <a href={indicatorPath(item.type, item.value)} className={styles.value}>
          {defang(item.type, item.value)}
        </a>
        {item.tags.length ? (
          <div className={styles.tags}>
            {item.tags.map((tag) => (
              <TagChip key={tag} tag={tag} />
            ))}
          </div>
        ) : null}
      </div>
      <TimeAgo iso={item.lastSeen} now={now} className={styles.ago} />
      <div className={styles.meta}>
        <span className="truncate">{item.feed}</span>
        <span className={styles.phone}>· {`${formatCount(item.sightings)} sighting${item.sightings === 1 ? '' : 's'}`}</span>
      </div>
      <div className={styles.count}>{formatCount(item.sightings)}</div>
    </li>
  );
}

export function ThreatListHeader() {
  return (
    <div className="hidden grid-cols-[4.5rem_minmax(0,1fr)_10rem_5rem_8.5rem] gap-x-4 border-b border-white/5 px-5 py-2.5 text-[11px] font-medium tracking-wider text-slate-500 uppercase sm:grid">
      <span>Type</span>
      <span>Indicator</span>
      <span>Feed</span>
      <span className="text-right">Sightings</span>
      <span className="text-right">Last seen</span>
    </div>
  );
}
