// Exactly one node runs each peer link (docs/federation.md): a lease in the link's row, taken and
// renewed with the database's clock. A node that dies stops renewing; another takes the link over
// once the lease has run out. The cursor is only written by the lease holder (fenced by owner).
import type { SqlSession } from '../db/sql-driver';

/** Takes or renews the lease of an unpaused link; false when another live node holds it. */
export async function acquireLinkLease(sql: SqlSession, linkId: string, owner: string, seconds: number): Promise<boolean> {
  const rows = await sql.query(
    `UPDATE peer_links SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
     WHERE id = $1::uuid AND NOT paused AND token IS NOT NULL AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < now())
     RETURNING id`,
    [linkId, owner, seconds],
  );
  return rows.length === 1;
}

export async function releaseLinkLease(sql: SqlSession, linkId: string, owner: string): Promise<void> {
  await sql.query(`UPDATE peer_links SET lease_owner = NULL, lease_until = NULL, connected = false WHERE id = $1::uuid AND lease_owner = $2`, [linkId, owner]);
}

/** Links this node should try to run: not paused, with a token, lease free, expired or ours. */
export async function findRunnableLinks(sql: SqlSession, owner: string): Promise<{ id: string; name: string }[]> {
  return sql.query<{ id: string; name: string }>(
    `SELECT id::text AS id, name FROM peer_links
     WHERE NOT paused AND token IS NOT NULL AND (lease_owner IS NULL OR lease_owner = $1 OR lease_until < now()) ORDER BY name`,
    [owner],
  );
}
