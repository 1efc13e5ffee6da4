// Chronological paging through public indicators (/threats/search without a query), newest first.
// Keyset paging on indicators.id (the order Sluice first recorded them), which never changes: a new
// sighting does not move an indicator, so a reader walking the pages while reports arrive never
// sees one twice and never misses one that was there when they started (new ones appear on page 1).
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import { decodeCursor, encodeCursor } from '../search/cursor';
import { latestPublicSightingJoin } from './public-feed';
import type { PublicFeedRef } from './types';

export const BROWSE_PAGE_SIZE = 50;
const MAX_ID = '9223372036854775807';

export interface BrowseItem {
  type: IndicatorType;
  value: string;
  sightings: number;
  confidence: number;
  feed: PublicFeedRef | null;
  firstSeen: string;
  lastSeen: string;
}

export interface BrowsePage {
  items: BrowseItem[];
  /** Pass as ?before= for the next (older) page; null on the last. */
  next: string | null;
}

interface Row extends Record<string, unknown> {
  id: string;
  type: IndicatorType;
  value: string;
  public_count: number;
  public_first_seen: Date | string;
  public_last_seen: Date | string;
  feed_slug: string | null;
  feed_owner: string | null;
  confidence: number;
}

/** One page; `before` is a cursor from a previous page (AppError invalid_cursor, 400, when it is not one). */
export async function browsePublicIndicators(sql: SqlDriver, options: { before?: string | null; type?: IndicatorType | null; limit?: number } = {}): Promise<BrowsePage> {
  const limit = Math.min(Math.max(options.limit ?? BROWSE_PAGE_SIZE, 1), 200);
  const before = options.before ? decodeCursor(options.before) : MAX_ID;
  const rows = await sql.query<Row>(
    `WITH page AS (
       SELECT i.id, i.type, i.value, i.public_count, i.public_first_seen, i.public_last_seen
       FROM indicators i
       WHERE i.id < $1::bigint AND i.public_count > 0 AND i.retracted_at IS NULL
         AND ($3::text IS NULL OR i.type = $3::"IndicatorType")
       ORDER BY i.id DESC
       LIMIT $2
     )
     SELECT p.id::text AS id, p.type::text AS type, p.value, p.public_count, p.public_first_seen, p.public_last_seen,
            latest.feed_slug, latest.feed_owner, latest.confidence
     FROM page p
     ${latestPublicSightingJoin('p')}
     ORDER BY p.id DESC`,
    [before, limit + 1, options.type ?? null],
  );
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return {
    items: page.map((r) => ({
      type: r.type,
      value: r.value,
      sightings: r.public_count,
      confidence: r.confidence,
      feed: r.feed_slug === null ? null : { slug: r.feed_slug, owner: r.feed_owner },
      firstSeen: new Date(r.public_first_seen).toISOString(),
      lastSeen: new Date(r.public_last_seen).toISOString(),
    })),
    next: more ? encodeCursor(page[page.length - 1].id) : null,
  };
}
