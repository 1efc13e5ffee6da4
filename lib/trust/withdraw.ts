// Withdrawing some sightings rather than a whole value (docs/trust.md): a feed owner retracts a value
// from their own feed, or an operator retracts everything one reporter contributed. In the caller's
// transaction the chosen sightings stop being public or held (their reporter still sees them), the
// indicators' public counters and distinct reporters are recomputed from what remains, and each
// value that was public and is no longer public anywhere gets a `retracted` event in the outbox.
// Values still public through other reporters stay, with their lower counts.
import { randomUUID } from 'node:crypto';
import type { SqlSession } from '../db/sql-driver';
import type { FirehoseEventBody } from '../events';
import { enrichIndicator } from '../enrichment/enrich-indicator';
import type { IndicatorType } from '../indicators/types';

export type WithdrawScope = { reporterId: string } | { feedId: string; indicatorId: string };

export interface WithdrawResult {
  /** Sightings withdrawn (public or held before). */
  sightings: number;
  /** Indicators they were sightings of. */
  indicators: number;
  /** Values that were public and no longer are: each got a `retracted` event. */
  unpublished: { type: IndicatorType; value: string; eventId: string }[];
}

interface Withdrawn extends Record<string, unknown> {
  indicator_id: string;
  was_public: boolean;
  tags: string[] | null;
  confidence: number;
  feed_slug: string;
  feed_owner: string;
  reported_at: Date | string;
}

const iso = (v: Date | string | null) => (v === null ? '' : new Date(v).toISOString());

export async function withdrawSightings(tx: SqlSession, scope: WithdrawScope, reason: string, at: string): Promise<WithdrawResult> {
  const where = 'reporterId' in scope ? `s.reporter_id = $1::uuid` : `s.feed_id = $1::uuid AND s.indicator_id = $2::bigint`;
  const params = 'reporterId' in scope ? [scope.reporterId] : [scope.feedId, scope.indicatorId];
  // Lock the indicators first, in id order (the ingest path locks them through its upsert).
  const before = await tx.query<{ id: string; type: IndicatorType; value: string; public_count: number }>(
    `SELECT i.id::text AS id, i.type::text AS type, i.value, i.public_count FROM indicators i
     WHERE i.id IN (SELECT s.indicator_id FROM sightings s WHERE ${where} AND (s.is_public OR s.held))
     ORDER BY i.id FOR UPDATE`,
    params,
  );
  if (!before.length) return { sightings: 0, indicators: 0, unpublished: [] };
  const withdrawn = await tx.query<Withdrawn>(
    `WITH w AS (
       UPDATE sightings s SET is_public = false, held = false, retracted = true
       FROM sightings old
       WHERE s.id = old.id AND ${where} AND (s.is_public OR s.held)
       RETURNING s.indicator_id, old.is_public AS was_public, s.tags, s.confidence, s.feed_id, s.reported_at)
     SELECT w.indicator_id::text AS indicator_id, w.was_public, w.tags, w.confidence, f.slug AS feed_slug, f.owner_id::text AS feed_owner, w.reported_at
     FROM w JOIN feeds f ON f.id = w.feed_id`,
    params,
  );
  const ids = before.map((b) => b.id);
  // Public counters and held count from the sightings that remain public or held. When and how
  // often anyone (reporters included) saw it — count, first_seen, last_seen — does not change.
  const after = await tx.query<{ id: string; public_count: number; public_first_seen: Date | string | null; public_last_seen: Date | string | null }>(
    `UPDATE indicators i SET public_count = a.public_n, public_first_seen = a.public_first_seen, public_last_seen = a.public_last_seen, held_count = a.held_n
     FROM (
       SELECT ids.id, (count(s.id) FILTER (WHERE s.is_public))::int AS public_n,
              min(s.reported_at) FILTER (WHERE s.is_public) AS public_first_seen,
              max(s.reported_at) FILTER (WHERE s.is_public) AS public_last_seen,
              (count(s.id) FILTER (WHERE s.held))::int AS held_n
       FROM unnest($1::bigint[]) AS ids(id) LEFT JOIN sightings s ON s.indicator_id = ids.id AND (s.is_public OR s.held)
       GROUP BY ids.id
     ) a
     WHERE i.id = a.id AND i.retracted_at IS NULL
     RETURNING i.id::text AS id, i.public_count, i.public_first_seen, i.public_last_seen`,
    [ids],
  );
  // Distinct reporters: one with nothing public or held left no longer counts (corroboration,
  // `indicator.reporters`); the others' `public` flag follows their sightings.
  await tx.query(
    `DELETE FROM indicator_reporters r WHERE r.indicator_id = ANY($1::bigint[])
       AND NOT EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = r.indicator_id AND s.reporter_id = r.reporter_id AND (s.is_public OR s.held))`,
    [ids],
  );
  await tx.query(
    `UPDATE indicator_reporters r SET public = EXISTS (SELECT 1 FROM sightings s WHERE s.indicator_id = r.indicator_id AND s.reporter_id = r.reporter_id AND s.is_public)
     WHERE r.indicator_id = ANY($1::bigint[])`,
    [ids],
  );

  const wasPublic = new Map(before.map((b) => [b.id, b]));
  const unpublished: WithdrawResult['unpublished'] = [];
  const events: { e: string; p: FirehoseEventBody }[] = [];
  for (const row of after) {
    const b = wasPublic.get(row.id)!;
    if (b.public_count === 0 || row.public_count > 0) continue;
    const shown = withdrawn.filter((w) => w.indicator_id === row.id && w.was_public);
    const event = retractedEvent({ type: b.type, value: b.value, shown, reason, at });
    events.push({ e: event.id, p: event });
    unpublished.push({ type: b.type, value: b.value, eventId: event.id });
  }
  if (events.length) {
    await tx.query(
      `INSERT INTO outbox (event_id, payload)
       SELECT x.e, x.p FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (e uuid, p jsonb)) WITH ORDINALITY AS x(e, p, o) ORDER BY x.o`,
      [JSON.stringify(events)],
    );
  }
  return { sightings: withdrawn.length, indicators: ids.length, unpublished };
}

/**
 * The `retracted` event of a value (the one shape for every retraction): it reaches the subscribers
 * that received the value — its tags, its feed (the latest public sighting's) and its highest
 * confidence pass the same filters the sightings passed.
 */
export function retractedEvent(input: {
  type: IndicatorType;
  value: string;
  shown: { tags: string[] | null; confidence: number; feed_slug: string; feed_owner: string; reported_at: Date | string }[];
  reason: string;
  at: string;
  firstSeen?: Date | string | null;
  lastSeen?: Date | string | null;
}): FirehoseEventBody {
  const { shown } = input;
  const latest = shown.reduce<(typeof shown)[number] | null>((a, b) => (!a || new Date(b.reported_at) > new Date(a.reported_at) ? b : a), null);
  const times = shown.map((s) => new Date(s.reported_at).getTime());
  const id = randomUUID();
  return {
    id,
    kind: 'retracted',
    indicator: {
      type: input.type,
      value: input.value,
      tags: [...new Set(shown.flatMap((w) => w.tags ?? []))].sort(),
      confidence: shown.reduce((m, w) => Math.max(m, w.confidence), 0),
      firstSeen: input.firstSeen !== undefined ? iso(input.firstSeen) : times.length ? new Date(Math.min(...times)).toISOString() : '',
      lastSeen: input.lastSeen !== undefined ? iso(input.lastSeen) : times.length ? new Date(Math.max(...times)).toISOString() : '',
      count: 0,
      reporters: 0,
      warnings: [],
      ...enrichIndicator(input.type, input.value),
    },
    feed: latest ? { slug: latest.feed_slug, owner: latest.feed_owner } : { slug: '', owner: '' },
    reportedAt: input.at,
    expiresAt: input.at,
    retraction: { reason: input.reason, at: input.at },
  };
}
