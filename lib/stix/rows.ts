// Reads the projection (stix_objects). Every read joins the indicator and keeps only values that are
// public now (public_count > 0) and not retracted: held values never reached it, retracted ones
// leave it with their `retracted` event, and this join holds the rule even in between.
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import { stixIdOf, type StixRow } from './objects';

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const ts = (col: string, precision: 'MS' | 'US') => `to_char(${col} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.${precision}"Z"')`;

export const STIX_ROW_COLUMNS = `o.seq::text AS seq, o.indicator_id::text AS indicator_id, o.feed_id::text AS feed_id, i.type::text AS type, i.value,
  ${ts('o.date_added', 'US')} AS date_added, ${ts('o.created', 'MS')} AS created, ${ts('o.modified', 'MS')} AS modified,
  ${ts('o.first_seen', 'MS')} AS first_seen, ${ts('o.last_seen', 'MS')} AS last_seen, o.count, o.confidence, o.labels`;

/**
 * A sighting object stands only while its feed still has a public sighting of the value: a feed
 * owner's retraction (lib/trust/withdraw.ts) of a value still public elsewhere writes no event.
 */
export const STIX_ROW_FROM = `stix_objects o JOIN indicators i ON i.id = o.indicator_id AND i.public_count > 0 AND i.retracted_at IS NULL
  AND (o.feed_id IS NULL OR EXISTS (SELECT 1 FROM sightings ps WHERE ps.indicator_id = o.indicator_id AND ps.feed_id = o.feed_id AND ps.is_public))`;

/** SQL: the value (row `o`) has a public sighting in the feed `$param` — what puts it in that feed's collection. */
export function publicInFeed(param: string): string {
  return `EXISTS (SELECT 1 FROM sightings ps2 WHERE ps2.indicator_id = o.indicator_id AND ps2.feed_id = ${param}::uuid AND ps2.is_public)`;
}

interface RawRow extends Record<string, unknown> {
  seq: string;
  indicator_id: string;
  feed_id: string | null;
  type: IndicatorType;
  value: string;
  date_added: string;
  created: string;
  modified: string;
  first_seen: string;
  last_seen: string;
  count: number;
  confidence: number;
  labels: string[] | null;
}

export function toStixRow(r: RawRow): StixRow {
  return {
    seq: r.seq,
    indicatorId: r.indicator_id,
    feedId: r.feed_id,
    type: r.type,
    value: r.value,
    dateAdded: r.date_added,
    created: r.created,
    modified: r.modified,
    firstSeen: r.first_seen,
    lastSeen: r.last_seen,
    count: r.count,
    confidence: r.confidence,
    labels: r.labels ?? [],
  };
}

export async function queryStixRows(sql: SqlDriver, where: string, params: unknown[], tail = ''): Promise<StixRow[]> {
  const rows = await sql.query<RawRow>(`SELECT ${STIX_ROW_COLUMNS} FROM ${STIX_ROW_FROM} WHERE ${where} ${tail}`, params);
  return rows.map(toStixRow);
}

/**
 * Writes the STIX id of every row that has none yet (PostgreSQL cannot compute a UUIDv5), so that
 * objects can be found by id. Rows are keyed by (indicator, feed), which the projection never
 * changes, so a row re-versioned meanwhile keeps a correct id. Bounded per call.
 */
export async function nameStixObjects(sql: SqlDriver, { batch = 2000, maxBatches = 50 } = {}): Promise<number> {
  let named = 0;
  for (let i = 0; i < maxBatches; i++) {
    const rows = await sql.query<{ indicator_id: string; feed_id: string | null; type: IndicatorType; value: string }>(
      `SELECT o.indicator_id::text AS indicator_id, o.feed_id::text AS feed_id, i.type::text AS type, i.value
       FROM stix_objects o JOIN indicators i ON i.id = o.indicator_id WHERE o.stix_id IS NULL ORDER BY o.seq LIMIT $1`,
      [batch],
    );
    if (!rows.length) break;
    const items = rows.map((r) => ({ i: r.indicator_id, f: r.feed_id ?? ZERO_UUID, id: stixIdOf({ feedId: r.feed_id, type: r.type, value: r.value }).split('--')[1] }));
    await sql.query(
      `UPDATE stix_objects o SET stix_id = x.id::uuid
       FROM jsonb_to_recordset($1::jsonb) AS x(i bigint, f uuid, id text)
       WHERE o.indicator_id = x.i AND coalesce(o.feed_id, '${ZERO_UUID}'::uuid) = x.f AND o.stix_id IS NULL`,
      [JSON.stringify(items)],
    );
    named += rows.length;
    if (rows.length < batch) break;
  }
  return named;
}
