// The user's own feeds for the dashboard, with per-feed statistics: sightings (all, public, last
// 7 days), distinct indicators and the last report. One grouped query over sightings(feed_id, …).
import type { SqlDriver } from '../db/sql-driver';
import type { TlpLevel } from '../feeds/schemas';

export interface UserFeed {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  tlp: TlpLevel;
  isSystem: boolean;
  isPublic: boolean;
  createdAt: string;
  sightings: number;
  publicSightings: number;
  sightingsLast7Days: number;
  indicators: number;
  lastReportAt: string | null;
}

interface Row extends Record<string, unknown> {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  tlp: TlpLevel;
  is_system: boolean;
  created_at: Date | string;
  sightings: number;
  public_sightings: number;
  last7: number;
  indicators: number;
  last_report: Date | string | null;
}

export async function findUserFeeds(sql: SqlDriver, userId: string): Promise<UserFeed[]> {
  const rows = await sql.query<Row>(
    `SELECT f.id::text AS id, f.slug, f.name, f.description, f.tlp::text AS tlp, f.is_system, f.created_at,
            count(s.id)::int AS sightings,
            (count(s.id) FILTER (WHERE s.is_public))::int AS public_sightings,
            (count(s.id) FILTER (WHERE s.reported_at >= now() - interval '7 days'))::int AS last7,
            count(DISTINCT s.indicator_id)::int AS indicators,
            max(s.reported_at) AS last_report
     FROM feeds f LEFT JOIN sightings s ON s.feed_id = f.id
     WHERE f.owner_id = $1::uuid
     GROUP BY f.id
     ORDER BY f.is_system DESC, f.created_at ASC, f.id`,
    [userId],
  );
  return rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    name: r.name,
    description: r.description,
    tlp: r.tlp,
    isSystem: r.is_system,
    isPublic: r.tlp === 'CLEAR',
    createdAt: new Date(r.created_at).toISOString(),
    sightings: r.sightings,
    publicSightings: r.public_sightings,
    sightingsLast7Days: r.last7,
    indicators: r.indicators,
    lastReportAt: r.last_report === null ? null : new Date(r.last_report).toISOString(),
  }));
}
