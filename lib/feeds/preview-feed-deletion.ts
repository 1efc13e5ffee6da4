// What deleting a feed removes, said before the owner confirms: its sightings, the indicators it
// reported, and how many of those stop being public because no other feed reported them publicly
// (they leave /threats, the exports and /check answers; events already streamed stay in the log).
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';

export interface FeedDeletionPreview {
  slug: string;
  sightings: number;
  indicators: number;
  /** Public indicators that only this feed reported publicly. */
  publicIndicatorsRemoved: number;
}

export async function previewFeedDeletion(sql: SqlDriver, ownerId: string, slug: string): Promise<FeedDeletionPreview> {
  const [feed] = await sql.query<{ id: string; is_system: boolean }>(`SELECT id::text AS id, is_system FROM feeds WHERE owner_id = $1::uuid AND slug = $2`, [ownerId, slug]);
  if (!feed) throw new AppError('feed_not_found', `you have no feed "${slug.slice(0, 140)}"`, 404);
  if (feed.is_system) throw new AppError('system_feed', 'system feeds are managed by Sluice and cannot be deleted', 403);
  const [row] = await sql.query<{ sightings: number; indicators: number; public_removed: number }>(
    `WITH mine AS (SELECT indicator_id, is_public FROM sightings WHERE feed_id = $1::uuid)
     SELECT (SELECT count(*) FROM mine)::int AS sightings,
            (SELECT count(DISTINCT indicator_id) FROM mine)::int AS indicators,
            (SELECT count(*) FROM (SELECT DISTINCT indicator_id FROM mine WHERE is_public) p
              WHERE NOT EXISTS (SELECT 1 FROM sightings o WHERE o.indicator_id = p.indicator_id AND o.is_public AND o.feed_id <> $1::uuid))::int AS public_removed`,
    [feed.id],
  );
  return { slug, sightings: row.sightings, indicators: row.indicators, publicIndicatorsRemoved: row.public_removed };
}
