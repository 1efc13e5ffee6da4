// One export snapshot: the indicators that would stream (public, not held, not retracted), seen in
// the last `days` days as of `asOf`, with their highest confidence, tags and public feeds. One query
// per tier per interval (lib/exports/get-export.ts); everything a visitor filters is done in memory.
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import type { ExportRow, ExportSnapshot, ExportTier } from './types';

/** The widest window a snapshot covers; narrower ones (?days=) are filtered from it. */
export const EXPORT_MAX_DAYS = 30;
/** Sightings per indicator read for its tags and feeds (the most recent ones): bounded per row. */
const SIGHTINGS_PER_ROW = 50;
const LIST_CAP = 16;

interface Row extends Record<string, unknown> {
  id: string;
  type: IndicatorType;
  value: string;
  confidence: number;
  first_seen: Date | string;
  last_seen: Date | string;
  tags: string[][] | string | null;
  feeds: string[] | null;
}

export interface LoadExportSnapshotOptions {
  tier: ExportTier;
  /** Sightings recorded (server time, sightings.created_at) after this are left out: the tier's delay. */
  asOf: Date;
  maxRows: number;
  now?: Date;
}

// Visibility is the firehose's: is_public (false while held, and after a retraction), public_count
// > 0 and no retraction on the indicator. created_at (server time), not reported_at (the reporter's
// claim), decides the delay, so a back-dated report cannot skip the Free tier's wait.
export async function loadExportSnapshot(sql: SqlDriver, options: LoadExportSnapshotOptions): Promise<ExportSnapshot> {
  const since = new Date(options.asOf.getTime() - EXPORT_MAX_DAYS * 86_400_000);
  const rows = await sql.query<Row>(
    `WITH recent AS (
       SELECT i.id, i.type, i.value, i.public_first_seen
       FROM indicators i
       WHERE i.public_count > 0 AND i.retracted_at IS NULL AND i.public_last_seen >= $1::timestamptz
       ORDER BY i.public_last_seen DESC, i.id DESC
       LIMIT $3
     )
     SELECT r.id::text AS id, r.type::text AS type, r.value, a.confidence, least(r.public_first_seen, a.last_seen) AS first_seen,
            a.last_seen, a.tags, a.feeds
     FROM recent r
     JOIN LATERAL (
       SELECT count(*)::int AS n, max(l.confidence)::int AS confidence, max(l.reported_at) AS last_seen,
              jsonb_agg(l.tags) AS tags,
              array_remove(array_agg(DISTINCT l.slug), NULL) AS feeds
       FROM (
         SELECT s.confidence, s.reported_at, s.tags, CASE WHEN f.tlp = 'CLEAR' THEN f.slug END AS slug
         FROM sightings s JOIN feeds f ON f.id = s.feed_id
         WHERE s.indicator_id = r.id AND s.is_public AND NOT s.held AND NOT s.retracted
           AND s.created_at <= $2::timestamptz AND s.reported_at >= $1::timestamptz
         ORDER BY s.reported_at DESC
         LIMIT ${SIGHTINGS_PER_ROW}
       ) l
     ) a ON a.n > 0
     ORDER BY a.last_seen DESC, r.id DESC`,
    [since.toISOString(), options.asOf.toISOString(), options.maxRows + 1],
  );
  const truncated = rows.length > options.maxRows;
  return {
    tier: options.tier,
    generatedAt: (options.now ?? new Date()).toISOString(),
    asOf: options.asOf.toISOString(),
    days: EXPORT_MAX_DAYS,
    truncated,
    rows: (truncated ? rows.slice(0, options.maxRows) : rows).map(toExportRow),
  };
}

function toExportRow(r: Row): ExportRow {
  const nested = (typeof r.tags === 'string' ? JSON.parse(r.tags) : (r.tags ?? [])) as (string[] | null)[];
  const tags = new Set<string>();
  for (const list of nested) for (const t of list ?? []) tags.add(t);
  return {
    id: Number(r.id),
    type: r.type,
    value: r.value,
    confidence: r.confidence,
    tags: [...tags].sort().slice(0, LIST_CAP),
    feeds: [...(r.feeds ?? [])].sort().slice(0, LIST_CAP),
    firstSeen: new Date(r.first_seen).toISOString(),
    lastSeen: new Date(r.last_seen).toISOString(),
  };
}
