// Headline numbers for the threats and landing pages, from public data only.
import type { SqlDriver } from '../db/sql-driver';
import type { ThreatTotals } from './types';

export async function getThreatTotals(sql: SqlDriver, now: number = Date.now()): Promise<ThreatTotals> {
  const dayAgo = new Date(now - 86_400_000).toISOString();
  const minuteAgo = new Date(now - 60_000).toISOString();
  const [row] = await sql.query<{ indicators: number; new24h: number; sightings24h: number; feeds24h: number; last_minute: number }>(
    `SELECT
       (SELECT count(*)::int FROM indicators WHERE public_last_seen IS NOT NULL AND public_count > 0) AS indicators,
       (SELECT count(*)::int FROM indicators WHERE public_count > 0 AND public_first_seen >= $1::timestamptz) AS new24h,
       (SELECT count(*)::int FROM sightings WHERE is_public AND reported_at >= $1::timestamptz AND reported_at <= $3::timestamptz) AS sightings24h,
       (SELECT count(DISTINCT feed_id)::int FROM sightings WHERE is_public AND reported_at >= $1::timestamptz AND reported_at <= $3::timestamptz) AS feeds24h,
       (SELECT count(*)::int FROM sightings WHERE is_public AND created_at >= $2::timestamptz) AS last_minute`,
    [dayAgo, minuteAgo, new Date(now).toISOString()],
  );
  return {
    generatedAt: new Date(now).toISOString(),
    indicators: row.indicators,
    sightings24h: row.sightings24h,
    new24h: row.new24h,
    activeFeeds24h: row.feeds24h,
    lastMinute: row.last_minute,
  };
}
