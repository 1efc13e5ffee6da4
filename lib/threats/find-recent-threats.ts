// The threats page's list: a random assortment of the most recent public indicators.
// Public sightings only (sightings.is_public, the one visibility rule) and the public_* counters.
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import { latestPublicSightingJoin } from './public-feed';
import type { ThreatFilters, ThreatItem, ThreatList } from './types';

export interface FindRecentThreatsOptions {
  /** Draw from this many of the most recent matching indicators. @default 300 */
  pool?: number;
  /** Show this many of them. @default 50 */
  sample?: number;
  /** Random source in [0, 1), for tests. @default Math.random */
  random?: () => number;
  now?: () => number;
}

interface Row extends Record<string, unknown> {
  type: IndicatorType;
  value: string;
  public_first_seen: Date | string;
  public_last_seen: Date | string;
  public_count: number;
  tags: string[] | null;
  feed_slug: string | null;
  feed_owner: string | null;
  confidence: number;
}

const iso = (v: Date | string) => new Date(v).toISOString();

// The tag test is `tags @> ARRAY[tag]` (not `tag = ANY (tags)`) so that the planner may use the GIN
// index on sightings.tags: a tag nobody used costs one index probe, not a walk over every indicator.
export async function findRecentThreats(sql: SqlDriver, filters: ThreatFilters, options: FindRecentThreatsOptions = {}): Promise<ThreatList> {
  const pool = options.pool ?? 300;
  const sample = options.sample ?? 50;
  const random = options.random ?? Math.random;
  const rows = await sql.query<Row>(
    `WITH recent AS (
       SELECT i.id, i.type, i.value, i.public_first_seen, i.public_last_seen, i.public_count
       FROM indicators i
       WHERE i.public_last_seen IS NOT NULL AND i.public_count > 0
         AND ($1::text IS NULL OR i.type = $1::"IndicatorType")
         AND ($2::text IS NULL OR EXISTS (
           SELECT 1 FROM sightings s WHERE s.indicator_id = i.id AND s.is_public AND s.tags @> ARRAY[$2::text]))
       ORDER BY i.public_last_seen DESC, i.id DESC
       LIMIT $3
     )
     SELECT r.type::text AS type, r.value, r.public_first_seen, r.public_last_seen, r.public_count,
       ARRAY(
         SELECT DISTINCT t FROM (
           SELECT s.tags FROM sightings s WHERE s.indicator_id = r.id AND s.is_public
           ORDER BY s.reported_at DESC LIMIT 20
         ) x CROSS JOIN LATERAL unnest(x.tags) AS t ORDER BY t LIMIT 6
       ) AS tags,
       latest.feed_slug, latest.feed_owner, latest.confidence
     FROM recent r
     ${latestPublicSightingJoin('r')}
     ORDER BY r.public_last_seen DESC, r.id DESC`,
    [filters.type, filters.tag, pool],
  );
  const items: ThreatItem[] = rows.map((r) => ({
    type: r.type,
    value: r.value,
    tags: r.tags ?? [],
    feed: r.feed_slug === null ? null : { slug: r.feed_slug, owner: r.feed_owner },
    confidence: r.confidence,
    sightings: r.public_count,
    firstSeen: iso(r.public_first_seen),
    lastSeen: iso(r.public_last_seen),
  }));
  return {
    generatedAt: new Date((options.now ?? Date.now)()).toISOString(),
    filters,
    poolSize: items.length,
    items: pickSample(items, sample, random),
  };
}

/** A random subset of `items` (partial Fisher–Yates), kept in their original (most recent first) order. */
export function pickSample<T>(items: T[], size: number, random: () => number = Math.random): T[] {
  if (items.length <= size) return items.slice();
  const idx = items.map((_, i) => i);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx
    .slice(0, size)
    .sort((a, b) => a - b)
    .map((i) => items[i]);
}
