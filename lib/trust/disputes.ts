// Disputes (docs/trust.md): a subscriber reports that a public value is a false positive. Each open
// dispute lowers the confidence the firehose gives the value (15 points, lib/trust/policy
// eventConfidence); operators see the open ones (`sluice admin dispute list`) and resolve them:
// upheld retracts the value (lib/trust/retract), rejected closes the dispute.
import { z } from 'zod';
import type { SqlDriver } from '../db/sql-driver';
import type { Engines } from '../engines';
import { AppError } from '../errors';
import { INDICATOR_TYPES, parseIndicator, type IndicatorType } from '../indicators';
import { displayText, parseInput } from '../http/parse-input';
import { retractIndicator } from './retract';

export const disputeBodySchema = z.object({ reason: displayText('reason', { min: 1, max: 1000, multiline: true }) }).strict();

export interface DisputeView {
  id: string;
  indicator: { type: IndicatorType; value: string };
  reason: string;
  status: 'open' | 'upheld' | 'rejected';
  createdAt: string;
}

interface DisputeRow extends Record<string, unknown> {
  id: string;
  type: IndicatorType;
  value: string;
  reason: string;
  status: DisputeView['status'];
  created_at: Date | string;
  reporter_email?: string;
}

const view = (r: DisputeRow): DisputeView => ({
  id: r.id,
  indicator: { type: r.type, value: r.value },
  reason: r.reason,
  status: r.status,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Opens (or returns the caller's existing) dispute of a public value. */
export async function createDispute(
  sql: SqlDriver,
  userId: string,
  input: { type: string; value: string; body: unknown },
): Promise<{ dispute: DisputeView; created: boolean }> {
  if (!(INDICATOR_TYPES as readonly string[]).includes(input.type)) throw new AppError('invalid_type', `type must be one of ${INDICATOR_TYPES.join(', ')}`, 400);
  const parsed = parseIndicator(input.value, { type: input.type as IndicatorType });
  if (!parsed.ok) throw new AppError('invalid_indicator', `not a valid ${input.type}: ${parsed.reason}`, 422);
  const { reason } = parseInput(disputeBodySchema, input.body);
  const [ind] = await sql.query<{ id: string }>(
    `SELECT id::text AS id FROM indicators WHERE type = $1::"IndicatorType" AND value = $2 AND public_count > 0 AND retracted_at IS NULL`,
    [parsed.type, parsed.value],
  );
  if (!ind) throw new AppError('indicator_not_found', `${parsed.type} ${parsed.value} is not on the public feed`, 404);
  const inserted = await sql.query<DisputeRow>(
    `INSERT INTO indicator_disputes (indicator_id, reporter_id, reason) VALUES ($1::bigint, $2::uuid, $3)
     ON CONFLICT (indicator_id, reporter_id) DO NOTHING
     RETURNING id::text AS id, $4::text AS type, $5::text AS value, reason, status, created_at`,
    [ind.id, userId, reason, parsed.type, parsed.value],
  );
  if (inserted[0]) return { dispute: view(inserted[0]), created: true };
  const [existing] = await sql.query<DisputeRow>(
    `SELECT id::text AS id, $3::text AS type, $4::text AS value, reason, status, created_at FROM indicator_disputes WHERE indicator_id = $1::bigint AND reporter_id = $2::uuid`,
    [ind.id, userId, parsed.type, parsed.value],
  );
  return { dispute: view(existing), created: false };
}

/** The moderation queue: open disputes, oldest first, with who filed them. */
export async function listOpenDisputes(sql: SqlDriver, limit = 100): Promise<(DisputeView & { reporter: string; disputes: number })[]> {
  const rows = await sql.query<DisputeRow & { reporter_email: string; n: number }>(
    `SELECT d.id::text AS id, i.type::text AS type, i.value, d.reason, d.status, d.created_at, u.email AS reporter_email,
       (SELECT count(*) FROM indicator_disputes o WHERE o.indicator_id = d.indicator_id AND o.status = 'open')::int AS n
     FROM indicator_disputes d JOIN indicators i ON i.id = d.indicator_id JOIN users u ON u.id = d.reporter_id
     WHERE d.status = 'open' ORDER BY d.created_at, d.id LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({ ...view(r), reporter: r.reporter_email, disputes: r.n }));
}

/** Resolves a dispute: upheld retracts the value (and closes its other open disputes), rejected closes it. */
export async function resolveDispute(sql: SqlDriver, id: string, decision: 'upheld' | 'rejected', note?: string) {
  if (!/^\d{1,18}$/.test(id)) throw new AppError('invalid_dispute', 'a dispute id is a number', 400);
  const [d] = await sql.query<DisputeRow & { indicator_id: string }>(
    `SELECT d.id::text AS id, d.indicator_id::text AS indicator_id, i.type::text AS type, i.value, d.reason, d.status, d.created_at
     FROM indicator_disputes d JOIN indicators i ON i.id = d.indicator_id WHERE d.id = $1::bigint`,
    [id],
  );
  if (!d) throw new AppError('dispute_not_found', `no dispute ${id}`, 404);
  if (d.status !== 'open') throw new AppError('dispute_closed', `dispute ${id} is already ${d.status}`, 409);
  if (decision === 'upheld') {
    const retraction = await retractIndicator(sql, { type: d.type, value: d.value, reason: note?.trim() || `dispute upheld: ${d.reason}`.slice(0, 500) });
    await sql.query(`UPDATE indicator_disputes SET status = 'upheld', resolved_at = now() WHERE indicator_id = $1::bigint AND status = 'open'`, [d.indicator_id]);
    return { dispute: { ...view(d), status: 'upheld' as const }, retraction };
  }
  await sql.query(`UPDATE indicator_disputes SET status = 'rejected', resolved_at = now() WHERE id = $1::bigint`, [id]);
  return { dispute: { ...view(d), status: 'rejected' as const }, retraction: null };
}

/** Disputes one signed-in user may file per hour from the pages (REST counts against the plan's rate limit). */
export const DISPUTES_PER_HOUR = 20;

/** createDispute for the indicator page's button: at most DISPUTES_PER_HOUR attempts per user. */
export async function createDisputeLimited(
  deps: { sql: SqlDriver; engines: Pick<Engines, 'rateLimiter'> },
  userId: string,
  input: { type: string; value: string; body: unknown },
): Promise<{ dispute: DisputeView; created: boolean }> {
  const limit = await deps.engines.rateLimiter({ name: 'disputes', points: DISPUTES_PER_HOUR, durationSeconds: 3600 }).consume(userId);
  if (!limit.allowed) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterMs / 60_000));
    throw new AppError('rate_limited', `You reported ${DISPUTES_PER_HOUR} values in the last hour; try again in ${minutes} min.`, 429, { retryAfterSeconds: Math.ceil(limit.retryAfterMs / 1000) });
  }
  return createDispute(deps.sql, userId, input);
}
