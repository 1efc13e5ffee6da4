// The public indicator page: counters, sightings over time, feeds, tags, recent sightings and
// related indicators (same host, same /24). Public sightings only: an indicator that only private
// feeds have seen is indistinguishable from one nobody has seen (null).
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import { findRelatedIndicators, type RelatedIndicators } from './find-related-indicators';
import { PUBLIC_FEED_NAME, PUBLIC_FEED_SLUG, PUBLIC_OWNER_NAME } from './public-feed';
import type { PublicFeedRef } from './types';

export interface IndicatorDetail {
  type: IndicatorType;
  value: string;
  firstSeen: string;
  lastSeen: string;
  sightings: number;
  /** Highest confidence among its public sightings. */
  confidence: number;
  /** Public sightings per UTC day over the last `days` days, oldest first. */
  perDay: { day: string; count: number }[];
  /** Feeds of its public sightings, most recent first; the feeds private now are one entry, `feed: null`. */
  feeds: { feed: PublicFeedRef | null; name: string | null; sightings: number; lastSeen: string }[];
  tags: { tag: string; count: number }[];
  recent: { reportedAt: string; feed: PublicFeedRef | null; tags: string[]; confidence: number; port: number | null; description: string | null }[];
  related: RelatedIndicators;
}

const DAY = 86_400_000;
const feedRef = (r: { slug: string | null; owner: string | null }): PublicFeedRef | null => (r.slug === null ? null : { slug: r.slug, owner: r.owner });
const iso = (v: Date | string) => new Date(v).toISOString();

export async function getIndicatorDetail(
  sql: SqlDriver,
  indicator: { type: IndicatorType; value: string },
  { now = Date.now(), days = 30 }: { now?: number; days?: number } = {},
): Promise<IndicatorDetail | null> {
  const [row] = await sql.query<{ id: string; public_first_seen: Date | string; public_last_seen: Date | string; public_count: number }>(
    `SELECT id::text AS id, public_first_seen, public_last_seen, public_count FROM indicators
     WHERE type = $1::"IndicatorType" AND value = $2 AND public_count > 0 AND public_last_seen IS NOT NULL`,
    [indicator.type, indicator.value],
  );
  if (!row) return null;
  const start = Math.floor(now / DAY) * DAY - (days - 1) * DAY;
  const [perDayRows, feeds, tags, recent, conf, related] = await Promise.all([
    sql.query<{ bucket: number; n: number }>(
      `SELECT floor(extract(epoch FROM (reported_at - $2::timestamptz)) / 86400)::int AS bucket, count(*)::int AS n
       FROM sightings WHERE indicator_id = $1::bigint AND is_public AND reported_at >= $2::timestamptz GROUP BY 1`,
      [row.id, new Date(start).toISOString()],
    ),
    // Grouped by the feed while it is public; every feed private now falls into one NULL group.
    sql.query<{ slug: string | null; owner: string | null; name: string | null; n: number; last: Date | string }>(
      `SELECT ${PUBLIC_FEED_SLUG} AS slug, ${PUBLIC_OWNER_NAME} AS owner, ${PUBLIC_FEED_NAME} AS name,
         count(*)::int AS n, max(s.reported_at) AS last
       FROM sightings s JOIN feeds f ON f.id = s.feed_id JOIN users u ON u.id = f.owner_id
       WHERE s.indicator_id = $1::bigint AND s.is_public
       GROUP BY CASE WHEN f.tlp = 'CLEAR' THEN f.id END, 1, 2, 3 ORDER BY last DESC LIMIT 50`,
      [row.id],
    ),
    sql.query<{ tag: string; n: number }>(
      `SELECT t AS tag, count(*)::int AS n FROM sightings s CROSS JOIN LATERAL unnest(s.tags) AS t
       WHERE s.indicator_id = $1::bigint AND s.is_public GROUP BY t ORDER BY n DESC, t LIMIT 50`,
      [row.id],
    ),
    sql.query<{ reported_at: Date | string; slug: string | null; owner: string | null; tags: string[]; confidence: number; port: number | null; description: string | null }>(
      `SELECT s.reported_at, ${PUBLIC_FEED_SLUG} AS slug, ${PUBLIC_OWNER_NAME} AS owner, s.tags, s.confidence, s.port, s.description
       FROM sightings s JOIN feeds f ON f.id = s.feed_id JOIN users u ON u.id = f.owner_id
       WHERE s.indicator_id = $1::bigint AND s.is_public ORDER BY s.reported_at DESC, s.id DESC LIMIT 20`,
      [row.id],
    ),
    sql.query<{ c: number | null }>(`SELECT max(confidence)::int AS c FROM sightings WHERE indicator_id = $1::bigint AND is_public`, [row.id]),
    findRelatedIndicators(sql, indicator),
  ]);
  const counts = new Array<number>(days).fill(0);
  for (const r of perDayRows) if (r.bucket >= 0 && r.bucket < days) counts[r.bucket] += r.n;
  return {
    type: indicator.type,
    value: indicator.value,
    firstSeen: iso(row.public_first_seen),
    lastSeen: iso(row.public_last_seen),
    sightings: row.public_count,
    confidence: conf[0]?.c ?? 0,
    perDay: counts.map((count, i) => ({ day: new Date(start + i * DAY).toISOString().slice(0, 10), count })),
    feeds: feeds.map((f) => ({ feed: feedRef(f), name: f.name, sightings: f.n, lastSeen: iso(f.last) })),
    tags: tags.map((t) => ({ tag: t.tag, count: t.n })),
    recent: recent.map((s) => ({
      reportedAt: iso(s.reported_at),
      feed: feedRef(s),
      tags: s.tags ?? [],
      confidence: s.confidence,
      port: s.port,
      description: s.description,
    })),
    related,
  };
}
