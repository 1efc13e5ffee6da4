// A tag, linking to the threats list filtered by it (a plain link: no prefetching of many pages).
import { threatsPath } from '@/lib/threats/paths';
import styles from './threats.module.css';

export function TagChip({ tag, active = false, count }: { tag: string; active?: boolean; count?: number }) {
  return (
    <a href={threatsPath({ tag })} className={active ? `${styles.tag} ${styles.tagActive}` : styles.tag}>
      <span className="truncate">{tag}</span>
      {count !== undefined ? <span className="text-slate-500">{count}</span> : null}
    </a>
  );
}
