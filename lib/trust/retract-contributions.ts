// Retracting part of what was reported (docs/trust.md), through lib/trust/withdraw.ts:
// - retractFromFeed: a feed owner withdraws a value from one of their own feeds
//   (POST /api/v1/feeds/{slug}/retractions, the dashboard);
// - retractReporter: an operator withdraws everything one account reported and marks it untrusted,
//   so its later reports are held until others corroborate them (`sluice admin user retract`, /admin).
// Either way a value still public through other reporters stays public; one that is not gets a
// `retracted` event and leaves /threats, the exports and the counts.
import { z } from 'zod';
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';
import { INDICATOR_TYPES, parseIndicator, type IndicatorType } from '../indicators';
import { notifyOutboxWritten } from '../ingest/outbox-signal';
import { displayText, parseInput } from '../http/parse-input';
import { withdrawSightings, type WithdrawResult } from './withdraw';

const reasonSchema = displayText('reason', { min: 1, max: 500, multiline: true });

export const feedRetractionSchema = z
  .object({
    value: z.string().min(1, 'a value is required').max(4096),
    type: z.enum(INDICATOR_TYPES).optional(),
    reason: reasonSchema,
  })
  .strict();

export interface FeedRetraction {
  type: IndicatorType;
  value: string;
  feed: string;
  status: 'retracted' | 'already_retracted';
  sightings: number;
  /** Whether the value stays public through other feeds or reporters. */
  stillPublic: boolean;
  /** The `retracted` event sent to the firehose, when the value is no longer public anywhere. */
  eventId: string | null;
  reason: string;
  at: string;
}

/** A feed owner withdraws a value from one of their feeds. Body: { value, type?, reason }. */
export async function retractFromFeed(sql: SqlDriver, ownerId: string, feedSlug: string, body: unknown, now: number = Date.now()): Promise<FeedRetraction> {
  const input = parseInput(feedRetractionSchema, body);
  const parsed = parseIndicator(input.value, input.type ? { type: input.type } : undefined);
  if (!parsed.ok) throw new AppError('invalid_indicator', `not a valid ${input.type ?? 'indicator'}: ${parsed.reason}`, 422);
  const { type, value } = parsed;
  const at = new Date(now).toISOString();
  const result = await sql.transaction(async (tx) => {
    const [feed] = await tx.query<{ id: string }>(`SELECT id::text AS id FROM feeds WHERE owner_id = $1::uuid AND slug = $2 AND NOT is_system FOR SHARE`, [ownerId, feedSlug]);
    if (!feed) throw new AppError('feed_not_found', `you have no feed "${feedSlug}"`, 404);
    const [mine] = await tx.query<{ indicator_id: string; live: number }>(
      `SELECT s.indicator_id::text AS indicator_id, (count(*) FILTER (WHERE s.is_public OR s.held))::int AS live
       FROM sightings s JOIN indicators i ON i.id = s.indicator_id
       WHERE s.feed_id = $1::uuid AND i.type = $2::"IndicatorType" AND i.value = $3 GROUP BY s.indicator_id`,
      [feed.id, type, value],
    );
    if (!mine) throw new AppError('indicator_not_found', `feed "${feedSlug}" has no sighting of ${type} ${value}`, 404);
    const withdrawn = mine.live ? await withdrawSightings(tx, { feedId: feed.id, indicatorId: mine.indicator_id }, input.reason, at) : null;
    const [after] = await tx.query<{ public_count: number }>(`SELECT public_count FROM indicators WHERE id = $1::bigint`, [mine.indicator_id]);
    return { status: withdrawn ? ('retracted' as const) : ('already_retracted' as const), withdrawn, stillPublic: (after?.public_count ?? 0) > 0 };
  });
  const eventId = result.withdrawn?.unpublished[0]?.eventId ?? null;
  if (eventId) notifyOutboxWritten();
  return {
    type,
    value,
    feed: feedSlug,
    status: result.status,
    sightings: result.withdrawn?.sightings ?? 0,
    stillPublic: result.stillPublic,
    eventId,
    reason: input.reason,
    at,
  };
}

export interface ReporterRetraction extends WithdrawResult {
  email: string;
  previousTrust: string;
}

/** An operator withdraws everything an account reported and marks it untrusted. */
export async function retractReporter(sql: SqlDriver, input: { email: string; reason: string }, now: number = Date.now()): Promise<ReporterRetraction> {
  const reason = reasonSchema.safeParse(input.reason);
  if (!reason.success) throw new AppError('invalid_reason', 'a reason of 1–500 characters is required', 400);
  const email = input.email.trim().toLowerCase();
  const at = new Date(now).toISOString();
  const result = await sql.transaction(async (tx) => {
    const [user] = await tx.query<{ id: string; trust_level: string }>(`SELECT id::text AS id, trust_level FROM users WHERE email = $1 FOR UPDATE`, [email]);
    if (!user) throw new AppError('user_not_found', `no user with email ${email}`, 404);
    const withdrawn = await withdrawSightings(tx, { reporterId: user.id }, reason.data, at);
    await tx.query(`UPDATE users SET trust_level = 'untrusted', retracted_reports = retracted_reports + $2 WHERE id = $1::uuid`, [user.id, withdrawn.indicators]);
    return { ...withdrawn, email, previousTrust: user.trust_level };
  });
  if (result.unpublished.length) notifyOutboxWritten();
  return result;
}
