// The analysis of one indicator as /check shows it, and requesting one for a value never analysed.
import type { SqlSession } from '../db/sql-driver';
import type { IndicatorType } from '../indicators';
import type { JobQueue } from '../jobs/types';
import type { Finding } from './types';

export type AnalysisStatus = 'pending' | 'done' | 'failed';

export interface IndicatorAnalysisView {
  status: AnalysisStatus;
  findings: Finding[];
  updatedAt: string | null;
}

/** A pending analysis older than this is requested again (its job was lost before it was added). */
const STALE_PENDING_MS = 10 * 60_000;

export async function getIndicatorAnalysis(sql: SqlSession, indicator: { type: IndicatorType; value: string }): Promise<IndicatorAnalysisView | null> {
  const [row] = await sql.query<{ status: string; findings: unknown; updated_at: Date | string }>(
    `SELECT status, findings, updated_at FROM indicator_analyses WHERE type = $1::"IndicatorType" AND value = $2`,
    [indicator.type, indicator.value],
  );
  if (!row) return null;
  const findings = (typeof row.findings === 'string' ? JSON.parse(row.findings) : row.findings) as Finding[];
  const status: AnalysisStatus = row.status === 'done' || row.status === 'failed' ? row.status : 'pending';
  return { status, findings: findings ?? [], updatedAt: new Date(row.updated_at).toISOString() };
}

/**
 * Records a pending analysis and adds its job, unless one is already pending. A /check calls this
 * without awaiting it, after its answer is ready. The value is analysed as non-public: nothing
 * derived from it is published, since checking a value is not reporting it.
 */
export async function requestAnalysis(sql: SqlSession, queue: JobQueue, indicator: { type: IndicatorType; value: string }): Promise<boolean> {
  const rows = await sql.query(
    `INSERT INTO indicator_analyses AS a (type, value, status) VALUES ($1::"IndicatorType", $2, 'pending')
     ON CONFLICT (type, value) DO UPDATE SET requested_at = now()
       WHERE a.status = 'pending' AND a.requested_at < now() - $3 * interval '1 millisecond'
     RETURNING type`,
    [indicator.type, indicator.value, STALE_PENDING_MS],
  );
  if (!rows.length) return false;
  await queue.add('analyze', { items: [{ t: indicator.type, v: indicator.value, p: false }], reason: 'check' });
  return true;
}
