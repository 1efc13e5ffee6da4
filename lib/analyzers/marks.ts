// Analyzer marks: "this was published" records that make publishing idempotent across retries,
// concurrent workers and nodes. A claim is one atomic statement; a failed publish releases it.
import type { SqlSession } from '../db/sql-driver';

/**
 * Claims (analyzer, key) unless it was claimed after `notBefore`. Returns true for exactly one of
 * several concurrent callers.
 */
export async function claimMark(sql: SqlSession, analyzer: string, key: string, at: Date, notBefore: Date): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO analyzer_marks (analyzer, key, fired_at) VALUES ($1, $2, $3)
     ON CONFLICT (analyzer, key) DO UPDATE SET fired_at = EXCLUDED.fired_at WHERE analyzer_marks.fired_at < $4
     RETURNING key`,
    [analyzer, key, at.toISOString(), notBefore.toISOString()],
  );
  return rows.length > 0;
}

/** Gives a claim back (its publish failed), restoring the previous stamp when there was one. */
export async function releaseMark(sql: SqlSession, analyzer: string, key: string, at: Date, previous: Date | null): Promise<void> {
  if (previous) {
    await sql.query(`UPDATE analyzer_marks SET fired_at = $4 WHERE analyzer = $1 AND key = $2 AND fired_at = $3`, [analyzer, key, at.toISOString(), previous.toISOString()]);
  } else {
    await sql.query(`DELETE FROM analyzer_marks WHERE analyzer = $1 AND key = $2 AND fired_at = $3`, [analyzer, key, at.toISOString()]);
  }
}

/** Claims, runs publish, and releases the claim when publish throws. */
export async function publishOnce(
  sql: SqlSession,
  mark: { analyzer: string; key: string; at: Date; notBefore: Date },
  publish: () => Promise<unknown>,
): Promise<boolean> {
  const [before] = await sql.query<{ fired_at: Date | string }>(`SELECT fired_at FROM analyzer_marks WHERE analyzer = $1 AND key = $2`, [mark.analyzer, mark.key]);
  if (!(await claimMark(sql, mark.analyzer, mark.key, mark.at, mark.notBefore))) return false;
  try {
    await publish();
    return true;
  } catch (error) {
    await releaseMark(sql, mark.analyzer, mark.key, mark.at, before ? new Date(before.fired_at) : null).catch(() => undefined);
    throw error;
  }
}
