// Public sightings per hour over the last 24 hours (by reported time), for the threats chart.
import type { SqlDriver } from '../db/sql-driver';
import type { HourBucket, ThreatFilters } from './types';

const HOUR = 3_600_000;

export async function countThreatsPerHour(sql: SqlDriver, filters: ThreatFilters, now: number = Date.now(), hours = 24): Promise<HourBucket[]> {
  // Buckets are whole UTC hours; the last one is the current (partial) hour.
  const start = Math.floor(now / HOUR) * HOUR - (hours - 1) * HOUR;
  const rows = await sql.query<{ bucket: number; n: number }>(
    `SELECT floor(extract(epoch FROM (s.reported_at - $1::timestamptz)) / 3600)::int AS bucket, count(*)::int AS n
     FROM sightings s JOIN indicators i ON i.id = s.indicator_id
     WHERE s.is_public AND s.reported_at >= $1::timestamptz AND s.reported_at <= $2::timestamptz
       AND ($3::text IS NULL OR i.type = $3::"IndicatorType")
       AND ($4::text IS NULL OR s.tags @> ARRAY[$4::text]) -- GIN-indexable (see find-recent-threats)
     GROUP BY 1`,
    [new Date(start).toISOString(), new Date(now).toISOString(), filters.type, filters.tag],
  );
  const counts = new Array<number>(hours).fill(0);
  for (const r of rows) if (r.bucket >= 0 && r.bucket < hours) counts[r.bucket] += r.n;
  return counts.map((count, i) => ({ hour: new Date(start + i * HOUR).toISOString(), count }));
}
