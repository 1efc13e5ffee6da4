// The origins of events received from peers (federated_events), claimed when each event is ingested
// (lib/ingest/ingest-indicators.ts) so that one event arriving twice is ingested once. A row is only
// needed while the same event can still arrive: kept FEDERATION_ORIGIN_RETENTION_DAYS, then deleted,
// so the table does not grow with every event ever federated.
import type { SqlSession } from '../db/sql-driver';

/** Deletes origins received more than `keepMs` ago, `batch` rows per statement; returns how many. */
export async function pruneFederatedEvents(sql: SqlSession, keepMs: number, batch = 10_000): Promise<number> {
  let deleted = 0;
  for (;;) {
    const rows = await sql.query<{ n: number }>(
      `WITH gone AS (
         DELETE FROM federated_events WHERE ctid IN (
           SELECT ctid FROM federated_events WHERE received_at < now() - $1 * interval '1 millisecond' ORDER BY received_at LIMIT $2)
         RETURNING 1)
       SELECT count(*)::int AS n FROM gone`,
      [keepMs, batch],
    );
    const n = rows[0]?.n ?? 0;
    deleted += n;
    // Short statements: never one long delete that holds up the ingest transactions claiming origins.
    if (n < batch) return deleted;
  }
}
