// A feed filter ("slug" of your own, or "<owner id>/<slug>") as the id of a feed the caller may
// read: their own, or a public one. Shared by search, STIX and every other filtered listing.
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resolves a feed filter to a feed id the caller may read: their own feed, or a public one. */
export async function resolveReadableFeed(sql: SqlDriver, callerId: string, feed: string): Promise<string> {
  const slash = feed.indexOf('/');
  const owner = slash < 0 ? callerId : feed.slice(0, slash);
  const slug = slash < 0 ? feed : feed.slice(slash + 1);
  const notFound = new AppError('feed_not_found', `no feed "${feed.slice(0, 140)}" that you can read`, 404);
  if (!UUID_RE.test(owner)) throw notFound;
  const [row] = await sql.query<{ id: string }>(
    `SELECT id::text AS id FROM feeds WHERE owner_id = $1::uuid AND slug = $2 AND (tlp = 'CLEAR' OR owner_id = $3::uuid)`,
    [owner, slug, callerId],
  );
  if (!row) throw notFound;
  return row.id;
}
