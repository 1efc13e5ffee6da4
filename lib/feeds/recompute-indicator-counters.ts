// When sightings disappear (a feed or an account is deleted), the counters of the indicators they
// reported are recomputed from the sightings that remain, in the deleting transaction: count,
// first/last seen, the public_* columns that decide whether an indicator is public at all
// (/threats, /i/…, exports, the `count` of later firehose events), held_count and the distinct
// reporters behind corroboration (docs/trust.md). An indicator nobody has reported any more is
// removed, as if it had never been seen (unless an operator retracted it: that record stays).
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
  // Gone entirely when no sighting is left, unless an operator retracted it (the retraction stays).
  const removed = await tx.$executeRawUnsafe(
    `DELETE FROM indicators i WHERE i.id = ANY($1::bigint[]) AND i.retracted_at IS NULL
       AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = i.id)`,
    ids,
  );
  // Counters from what remains. Retracted and held sightings are not public (is_public false), so a
  // retracted indicator keeps public counters of zero; held ones count in held_count.
  const recomputed = await tx.$executeRawUnsafe(
    `UPDATE indicators i SET
       count = a.n, first_seen = coalesce(a.first_seen, i.first_seen), last_seen = coalesce(a.last_seen, i.last_seen),
       public_count = a.public_n, public_first_seen = a.public_first_seen, public_last_seen = a.public_last_seen,
       held_count = a.held_n
     FROM (
       SELECT ids.id, count(s.id)::int AS n, min(s.reported_at) AS first_seen, max(s.reported_at) AS last_seen,
              (count(s.id) FILTER (WHERE s.is_public))::int AS public_n,
              min(s.reported_at) FILTER (WHERE s.is_public) AS public_first_seen,
              max(s.reported_at) FILTER (WHERE s.is_public) AS public_last_seen,
              (count(s.id) FILTER (WHERE s.held))::int AS held_n
       FROM unnest($1::bigint[]) AS ids(id) LEFT JOIN sightings s ON s.indicator_id = ids.id
       GROUP BY ids.id
     ) a
     WHERE i.id = a.id`,
    ids,
  );
  // Distinct reporters (corroboration): a reporter with no public-feed sighting left is no longer
  // one; `public` says whether one of theirs is still public.
  await tx.$executeRawUnsafe(
    `DELETE FROM indicator_reporters r WHERE r.indicator_id = ANY($1::bigint[])
       AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = r.indicator_id AND s.reporter_id = r.reporter_id AND (s.is_public OR s.held OR s.retracted))`,
    ids,
  );
  await tx.$executeRawUnsafe(
    `UPDATE indicator_reporters r SET public = EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = r.indicator_id AND s.reporter_id = r.reporter_id AND s.is_public)
     WHERE r.indicator_id = ANY($1::bigint[])`,
    ids,
  );
  return { recomputed, removed };
}
