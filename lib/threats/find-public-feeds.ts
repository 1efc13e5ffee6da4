// The catalogue of public feeds (/feeds) and one feed's page (/feeds/{id}): public (TLP:CLEAR) feeds
// of reporters, named by the owner's display name — never a user id or an e-mail. Volume is public
// sightings of the last 7 days (read through the partial index on public sightings' times); the
// catalogue is computed once a minute per node (lib/threats/cache) and capped at CATALOGUE_LIMIT.
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import { decodeCursor, encodeCursor } from '../search/cursor';
import { sharedCache } from './cache';

export const CATALOGUE_LIMIT = 500;
export const FEED_PAGE_SIZE = 50;
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_ID = '9223372036854775807';

export interface PublicFeed {
  /** The feed's own id (not its owner's): its page is /feeds/{id}. */
  id: string;
  slug: string;
  name: string;
  description: string | null;
  /** The owner's display name. */
  owner: string;
  /** Public sightings in the last 7 days. */
  sightings7d: number;
  /** When it last reported publicly, or null. */
  lastReport: string | null;
  /** Other public feeds share this slug (a stream filter by slug matches them all). */
  slugShared: boolean;
}

interface FeedRow extends Record<string, unknown> {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  owner: string;
  n7d: number;
  last_report: Date | string | null;
  shared: boolean;
}

const FEED_SQL = `
  SELECT f.id::text AS id, f.slug, f.name, f.description, u.display_name AS owner,
         coalesce(v.n, 0)::int AS n7d,
         (SELECT s.created_at FROM sightings s WHERE s.feed_id = f.id AND s.is_public ORDER BY s.id DESC LIMIT 1) AS last_report,
         EXISTS (SELECT 1 FROM feeds o WHERE o.slug = f.slug AND o.id <> f.id AND o.tlp = 'CLEAR' AND NOT o.is_system) AS shared
  FROM feeds f
  JOIN users u ON u.id = f.owner_id
  LEFT JOIN (
    SELECT s.feed_id, count(*) AS n FROM sightings s
    WHERE s.is_public AND s.reported_at >= now() - interval '7 days' AND s.reported_at <= now() + interval '1 day'
    GROUP BY s.feed_id
  ) v ON v.feed_id = f.id
  WHERE f.tlp = 'CLEAR' AND NOT f.is_system`;

const toFeed = (r: FeedRow): PublicFeed => ({
  id: r.id,
  slug: r.slug,
  name: r.name,
  description: r.description,
  owner: r.owner,
  sightings7d: r.n7d,
  lastReport: r.last_report ? new Date(r.last_report).toISOString() : null,
  slugShared: r.shared,
});

/** Public feeds, busiest first, then most recently active. */
export function findPublicFeeds(sql: SqlDriver): Promise<PublicFeed[]> {
  return sharedCache<PublicFeed[]>('public-feeds', sql, { ttlMs: 60_000, maxEntries: 1 }).get('all', async () => {
    const rows = await sql.query<FeedRow>(`${FEED_SQL} ORDER BY n7d DESC, last_report DESC NULLS LAST, f.slug, f.id LIMIT ${CATALOGUE_LIMIT}`);
    return rows.map(toFeed);
  });
}

/** One public feed, or null (unknown, private or a system feed alike). */
export async function getPublicFeed(sql: SqlDriver, id: string): Promise<PublicFeed | null> {
  if (!UUID_RE.test(id)) return null;
  const [row] = await sql.query<FeedRow>(`${FEED_SQL} AND f.id = $1::uuid`, [id]);
  return row ? toFeed(row) : null;
}

export interface FeedReport {
  type: IndicatorType;
  value: string;
  tags: string[];
  confidence: number;
  reportedAt: string;
}

/** A public feed's reports, newest first, a page at a time (keyset on the sighting id). */
export async function findFeedReports(sql: SqlDriver, feedId: string, before?: string | null): Promise<{ items: FeedReport[]; next: string | null }> {
  const after = before ? decodeCursor(before) : MAX_ID;
  const rows = await sql.query<{ id: string; type: IndicatorType; value: string; tags: string[] | null; confidence: number; reported_at: Date | string }>(
    `SELECT s.id::text AS id, i.type::text AS type, i.value, s.tags, s.confidence, s.reported_at
     FROM sightings s JOIN indicators i ON i.id = s.indicator_id JOIN feeds f ON f.id = s.feed_id
     WHERE s.feed_id = $1::uuid AND f.tlp = 'CLEAR' AND s.is_public AND s.id < $2::bigint
     ORDER BY s.id DESC LIMIT $3`,
    [feedId, after, FEED_PAGE_SIZE + 1],
  );
  const more = rows.length > FEED_PAGE_SIZE;
  const page = more ? rows.slice(0, FEED_PAGE_SIZE) : rows;
  return {
    items: page.map((r) => ({ type: r.type, value: r.value, tags: r.tags ?? [], confidence: r.confidence, reportedAt: new Date(r.reported_at).toISOString() })),
    next: more ? encodeCursor(page[page.length - 1].id) : null,
  };
}
