// Retraction (docs/trust.md): an operator withdraws a public value. In one transaction its public and
// held sightings stop being public (their reporters still see them), its public counters go to zero
// (it leaves /threats, the exports and the counts), each reporter's retracted_reports grows, and a
// `retracted` event is written to the outbox — the one path every firehose event takes.
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';
import { notifyOutboxWritten } from '../ingest/outbox-signal';
import { parseIndicator, type IndicatorType } from '../indicators';
import { retractedEvent } from './withdraw';

export interface RetractInput {
  type: IndicatorType;
  value: string;
  reason: string;
}

export interface RetractResult {
  type: IndicatorType;
  value: string;
  status: 'retracted' | 'already_retracted';
  sightings: number;
  reporters: number;
  eventId: string | null;
  at: string;
}

export async function retractIndicator(sql: SqlDriver, input: RetractInput, now: number = Date.now()): Promise<RetractResult> {
  const reason = input.reason.trim();
  if (!reason || reason.length > 500) throw new AppError('invalid_reason', 'a reason of 1–500 characters is required', 400);
  const parsed = parseIndicator(input.value, { type: input.type });
  if (!parsed.ok) throw new AppError('invalid_indicator', `not a valid ${input.type}: ${parsed.reason}`, 422);
  const { type, value } = parsed;
  const at = new Date(now).toISOString();
  const result = await sql.transaction(async (tx) => {
    const [ind] = await tx.query<{ id: string; public_first_seen: Date | string | null; public_last_seen: Date | string | null; retracted_at: Date | string | null }>(
      `SELECT id::text AS id, public_first_seen, public_last_seen, retracted_at FROM indicators WHERE type = $1::"IndicatorType" AND value = $2 FOR UPDATE`,
      [type, value],
    );
    if (!ind) throw new AppError('indicator_not_found', `no ${type} ${value} has been reported`, 404);
    if (ind.retracted_at) {
      return { type, value, status: 'already_retracted' as const, sightings: 0, reporters: 0, eventId: null, at: new Date(ind.retracted_at).toISOString() };
    }
    const withdrawn = await tx.query<{ reporter_id: string; was_public: boolean; tags: string[] | null; confidence: number; feed_slug: string; feed_owner: string; reported_at: Date | string }>(
      `WITH w AS (
         UPDATE sightings s SET is_public = false, held = false, retracted = true
         FROM sightings old
         WHERE s.id = old.id AND s.indicator_id = $1::bigint AND (s.is_public OR s.held)
         RETURNING s.reporter_id, old.is_public AS was_public, s.tags, s.confidence, s.feed_id, s.reported_at)
       SELECT w.reporter_id::text AS reporter_id, w.was_public, w.tags, w.confidence, f.slug AS feed_slug, f.owner_id::text AS feed_owner, w.reported_at
       FROM w JOIN feeds f ON f.id = w.feed_id AND NOT f.is_system`,
      [ind.id],
    );
    const reporters = [...new Set(withdrawn.map((w) => w.reporter_id))];
    if (reporters.length) {
      await tx.query(
        `UPDATE users SET retracted_reports = retracted_reports + 1 WHERE id IN (SELECT x::uuid FROM jsonb_array_elements_text($1::jsonb) AS x)`,
        [JSON.stringify(reporters)],
      );
    }
    await tx.query(
      // public_first_seen/public_last_seen stay: when it was public (the page says so); every public
      // view requires public_count > 0.
      `UPDATE indicators SET retracted_at = $2::timestamptz, retraction_reason = $3, public_count = 0, held_count = 0 WHERE id = $1::bigint`,
      [ind.id, at, reason],
    );
    await tx.query(`UPDATE indicator_reporters SET public = false WHERE indicator_id = $1::bigint`, [ind.id]);

    const event = retractedEvent({
      type,
      value,
      shown: withdrawn.filter((w) => w.was_public),
      reason,
      at,
      firstSeen: ind.public_first_seen,
      lastSeen: ind.public_last_seen,
    });
    const id = event.id;
    // Only a value that was ever public needs telling subscribers about.
    const wasPublic = ind.public_last_seen !== null;
    if (wasPublic) await tx.query(`INSERT INTO outbox (event_id, payload) VALUES ($1::uuid, $2::jsonb)`, [id, JSON.stringify(event)]);
    return { type, value, status: 'retracted' as const, sightings: withdrawn.length, reporters: reporters.length, eventId: wasPublic ? id : null, at };
  });
  if (result.eventId) notifyOutboxWritten();
  return result;
}

/** When and why a once-public value was withdrawn (null for any other: never public, or not retracted). */
export async function getRetraction(sql: SqlDriver, indicator: { type: IndicatorType; value: string }): Promise<{ at: string; reason: string } | null> {
  const [row] = await sql.query<{ retracted_at: Date | string | null; retraction_reason: string | null }>(
    `SELECT retracted_at, retraction_reason FROM indicators WHERE type = $1::"IndicatorType" AND value = $2 AND public_first_seen IS NOT NULL`,
    [indicator.type, indicator.value],
  );
  if (!row?.retracted_at) return null;
  return { at: new Date(row.retracted_at).toISOString(), reason: row.retraction_reason ?? '' };
}
