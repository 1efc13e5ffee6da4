// GET /api/v1/indicators: indicators whose visible sightings match the filters, in indicator id
// order, a page at a time. The figures of each indicator (sightings, first/last seen, tags, feeds)
// are computed over the caller's visible sightings that match the filters.
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators';
import { parseInput } from '../http/parse-input';
import { decodeCursor, encodeCursor } from './cursor';
import { resolveReadableFeed } from './resolve-feed';
import { findIndicatorsSchema } from './schemas';
import { visibleSightings, type FeedRef } from './visibility';

export interface IndicatorSummary {
  type: IndicatorType;
  value: string;
  firstSeen: string;
  lastSeen: string;
  /** Matching sightings you can see. */
  sightings: number;
  /** Highest confidence among them. */
  confidence: number;
  tags: string[];
  feeds: FeedRef[];
}

export interface IndicatorPage {
  indicators: IndicatorSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  next: string | null;
}

interface Row extends Record<string, unknown> {
  id: string;
  type: IndicatorType;
  value: string;
  first_seen: Date | string;
  last_seen: Date | string;
  sightings: number;
  confidence: number;
  tags: string[];
  feeds: FeedRef[] | string;
}

export async function findIndicators(sql: SqlDriver, callerId: string, query: unknown): Promise<IndicatorPage> {
  const q = parseInput(findIndicatorsSchema, query, 'invalid_query');
  const after = q.cursor ? decodeCursor(q.cursor) : '0';
  const feedId = q.feed ? await resolveReadableFeed(sql, callerId, q.feed) : null;

  const params: unknown[] = [callerId, after, q.limit + 1];
  const add = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  // Sighting filters, as SQL over a given alias (the same filters for the page and its details).
  const filters: string[] = [];
  if (q.tag) {
    const p = add(q.tag);
    filters.push(`{s}.tags @> ARRAY[${p}]::text[]`);
  }
  if (feedId) {
    const p = add(feedId);
    filters.push(`{s}.feed_id = ${p}::uuid`);
  }
  if (q.since) {
    const p = add(q.since.toISOString());
    filters.push(`{s}.reported_at >= ${p}::timestamptz`);
  }
  const where = (alias: string) => [visibleSightings(alias, '$1'), ...filters.map((f) => f.replaceAll('{s}', alias))].join(' AND ');
  const typeJoin = q.type ? `JOIN indicators it ON it.id = s.indicator_id AND it.type = ${add(q.type)}::"IndicatorType"` : '';

  const rows = await sql.query<Row>(
    `WITH page AS (
       SELECT s.indicator_id AS id, min(s.reported_at) AS first_seen, max(s.reported_at) AS last_seen,
              count(*)::int AS sightings, max(s.confidence)::int AS confidence
       FROM sightings s ${typeJoin}
       WHERE s.indicator_id > $2::bigint AND ${where('s')}
       GROUP BY s.indicator_id
       ORDER BY s.indicator_id
       LIMIT $3
     )
     SELECT p.id::text AS id, i.type::text AS type, i.value, p.first_seen, p.last_seen, p.sightings, p.confidence,
       ARRAY(SELECT DISTINCT t FROM sightings s2 CROSS JOIN LATERAL unnest(s2.tags) AS t
             WHERE s2.indicator_id = p.id AND ${where('s2')} ORDER BY t LIMIT 100) AS tags,
       (SELECT coalesce(json_agg(json_build_object('slug', fs.slug, 'owner', fs.owner_id) ORDER BY fs.slug, fs.owner_id), '[]'::json)
          FROM (SELECT DISTINCT f.slug, f.owner_id::text AS owner_id FROM sightings s3 JOIN feeds f ON f.id = s3.feed_id
                WHERE s3.indicator_id = p.id AND ${where('s3')}) fs) AS feeds
     FROM page p JOIN indicators i ON i.id = p.id
     ORDER BY p.id`,
    params,
  );
  const more = rows.length > q.limit;
  const pageRows = more ? rows.slice(0, q.limit) : rows;
  return {
    indicators: pageRows.map(toSummary),
    next: more ? encodeCursor(pageRows[pageRows.length - 1].id) : null,
  };
}

export function toSummary(row: Row): IndicatorSummary {
  return {
    type: row.type,
    value: row.value,
    firstSeen: new Date(row.first_seen).toISOString(),
    lastSeen: new Date(row.last_seen).toISOString(),
    sightings: row.sightings,
    confidence: row.confidence,
    tags: row.tags ?? [],
    feeds: typeof row.feeds === 'string' ? (JSON.parse(row.feeds) as FeedRef[]) : row.feeds,
  };
}
