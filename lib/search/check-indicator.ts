// GET /api/v1/check/{value}: the immediate answer for one indicator — known or not, and what the
// caller may see of it (public sightings and their own private ones).
import type { SqlDriver } from '../db/sql-driver';
import { enrichIndicator, type IpEnrichment } from '../enrichment/enrich-indicator';
import { AppError } from '../errors';
import { parseIndicator, type IndicatorType } from '../indicators';
import { parseInput } from '../http/parse-input';
import { defaultTrustPolicy } from '../trust/policy';
import { getRetraction } from '../trust/retract';
import { checkIndicatorSchema } from './schemas';
import type { IndicatorSummary } from './find-indicators';
import { visibleSightings, type FeedRef } from './visibility';

/** Trust facts about the value itself, for anyone (docs/trust.md): public knowledge, no sighting's. */
interface TrustFacts {
  /** Warning lists the value is on (e.g. public-dns-v4): one reporter alone does not stream it. Absent when none. */
  warnings?: string[];
  /** When and why an operator withdrew a once-public value. */
  retracted?: { at: string; reason: string };
}

/** The value checked and, for an IP, its AS and country (public knowledge, shown known or not). */
export type CheckedIndicator = { type: IndicatorType; value: string } & IpEnrichment;

export type CheckResult =
  | ({ known: false; indicator: CheckedIndicator } & TrustFacts)
  | ({ known: true; indicator: CheckedIndicator } & Omit<IndicatorSummary, 'type' | 'value'> & TrustFacts);

/** Tags and feeds are gathered from this many of the most recent visible sightings. */
const DETAIL_SIGHTINGS = 1000;

export async function checkIndicator(sql: SqlDriver, callerId: string, input: unknown): Promise<CheckResult> {
  const q = parseInput(checkIndicatorSchema, input, 'invalid_query');
  const parsed = parseIndicator(q.value, q.type ? { type: q.type } : undefined);
  if (!parsed.ok) throw new AppError('invalid_indicator', `not a valid indicator: ${parsed.reason}`, 422, { reason: parsed.code });
  const indicator: CheckedIndicator = { type: parsed.type, value: parsed.value, ...enrichIndicator(parsed.type, parsed.value) };
  const [matcher, retraction] = await Promise.all([defaultTrustPolicy().lists.current(sql), getRetraction(sql, indicator)]);
  const warnings = matcher.match(indicator.type, indicator.value);
  const trust: TrustFacts = { ...(warnings.length ? { warnings } : {}), ...(retraction ? { retracted: retraction } : {}) };
  const [row] = await sql.query<{
    first_seen: Date | string;
    last_seen: Date | string;
    sightings: number;
    confidence: number;
    tags: string[];
    feeds: FeedRef[] | string;
  }>(
    `WITH ind AS (SELECT id FROM indicators WHERE type = $1::"IndicatorType" AND value = $2),
     agg AS (
       SELECT min(s.reported_at) AS first_seen, max(s.reported_at) AS last_seen, count(*)::int AS sightings, max(s.confidence)::int AS confidence
       FROM sightings s JOIN ind ON s.indicator_id = ind.id WHERE ${visibleSightings('s', '$3')}
     ),
     recent AS (
       SELECT s.tags, s.feed_id FROM sightings s JOIN ind ON s.indicator_id = ind.id
       WHERE ${visibleSightings('s', '$3')} ORDER BY s.reported_at DESC LIMIT ${DETAIL_SIGHTINGS}
     )
     SELECT agg.*,
       ARRAY(SELECT DISTINCT t FROM recent CROSS JOIN LATERAL unnest(recent.tags) AS t ORDER BY t LIMIT 100) AS tags,
       (SELECT coalesce(json_agg(json_build_object('slug', fs.slug, 'owner', fs.owner_id) ORDER BY fs.slug, fs.owner_id), '[]'::json)
          FROM (SELECT DISTINCT f.slug, f.owner_id::text AS owner_id FROM recent JOIN feeds f ON f.id = recent.feed_id) fs) AS feeds
     FROM agg WHERE agg.sightings > 0`,
    [indicator.type, indicator.value, callerId],
  );
  if (!row) return { known: false, indicator, ...trust };
  return {
    known: true,
    indicator,
    firstSeen: new Date(row.first_seen).toISOString(),
    lastSeen: new Date(row.last_seen).toISOString(),
    sightings: row.sightings,
    confidence: row.confidence,
    tags: row.tags ?? [],
    feeds: typeof row.feeds === 'string' ? (JSON.parse(row.feeds) as FeedRef[]) : row.feeds,
    ...trust,
  };
}
