// When sightings disappear (a feed or an account is deleted), the counters of the indicators they
// reported are recomputed from the sightings that remain, in the deleting transaction: count,
// first/last seen, and the public_* columns that decide whether an indicator is public at all
// (/threats, /i/…, exports, the `count` of later firehose events). An indicator nobody has
// reported any more is removed, as if it had never been seen.
import type { PrismaClient } from '../generated/prisma/client';

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/**
 * Locks the indicators (so a concurrent ingest's increment is neither lost nor counted twice), runs
 * `remove` (the deletion that cascades to sightings), then recomputes them. Returns how many
 * indicators were recomputed and how many removed.
 */
export async function deleteSightingsAndRecount(
  tx: Tx,
  affected: { feedId: string } | { userId: string },
  remove: () => Promise<unknown>,
): Promise<{ recomputed: number; removed: number }> {
  // A user's sightings: those they reported and those in their feeds (both cascade with the user).
  const where = 'feedId' in affected ? `feed_id = $1::uuid` : `reporter_id = $1::uuid OR feed_id IN (SELECT id FROM feeds WHERE owner_id = $1::uuid)`;
  const key = 'feedId' in affected ? affected.feedId : affected.userId;
  const rows = await tx.$queryRawUnsafe<{ id: string }[]>(
    `SELECT id::text AS id FROM indicators
     WHERE id IN (SELECT DISTINCT indicator_id FROM sightings WHERE ${where})
     ORDER BY id FOR UPDATE`,
    key,
  );
  await remove();
  if (!rows.length) return { recomputed: 0, removed: 0 };
  const ids = rows.map((r) => r.id);
  const removed = await tx.$executeRawUnsafe(
    `DELETE FROM indicators i WHERE i.id = ANY($1::bigint[]) AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = i.id)`,
    ids,
  );
  const recomputed = await tx.$executeRawUnsafe(
    `UPDATE indicators i SET
       count = a.n, first_seen = a.first_seen, last_seen = a.last_seen,
       public_count = a.public_n, public_first_seen = a.public_first_seen, public_last_seen = a.public_last_seen
     FROM (
       SELECT s.indicator_id AS id, count(*)::int AS n, min(s.reported_at) AS first_seen, max(s.reported_at) AS last_seen,
              (count(*) FILTER (WHERE s.is_public))::int AS public_n,
              min(s.reported_at) FILTER (WHERE s.is_public) AS public_first_seen,
              max(s.reported_at) FILTER (WHERE s.is_public) AS public_last_seen
       FROM sightings s WHERE s.indicator_id = ANY($1::bigint[]) GROUP BY s.indicator_id
     ) a
     WHERE i.id = a.id`,
    ids,
  );
  return { recomputed, removed };
}
