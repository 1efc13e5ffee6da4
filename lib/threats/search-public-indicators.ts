// /threats/search?q=: public indicators by value or part of one. Defanged input is accepted
// (hxxp://, [.], [@]). No trigram index: every branch is bounded, whatever the query —
//   1. the exact value (parsed like a submission) through the (type, value) unique index;
//   2. values starting with q, and 3. values ending with q (a domain and its subdomains), each through
//      a text_pattern_ops index and a capped range read (SCAN_CAP rows at most);
//   4. any other substring, among the RECENT_WINDOW most recently seen public indicators only.
// Results are cached per query for a few seconds (lib/threats/cache).
import type { SqlDriver } from '../db/sql-driver';
import { parseIndicator, refang } from '../indicators/parse-indicator';
import type { IndicatorType } from '../indicators/types';
import { sharedCache } from './cache';

export const SEARCH_MIN_LENGTH = 3;
export const SEARCH_MAX_LENGTH = 256;
export const SEARCH_LIMIT = 50;
/** Index rows read per prefix/suffix branch, public or not, before giving up. */
export const SEARCH_SCAN_CAP = 2_000;
/** How many of the most recently seen public indicators the substring branch looks through. */
export const SEARCH_RECENT_WINDOW = 20_000;

export interface SearchHit {
  type: IndicatorType;
  value: string;
  match: 'exact' | 'prefix' | 'suffix' | 'substring';
  sightings: number;
  firstSeen: string;
  lastSeen: string;
}

export type SearchResult =
  | { ok: true; q: string; hits: SearchHit[]; limited: boolean }
  | { ok: false; q: string; reason: string };

interface Row extends Record<string, unknown> {
  type: IndicatorType;
  value: string;
  match: SearchHit['match'];
  public_count: number;
  public_first_seen: Date | string;
  public_last_seen: Date | string;
}

/** The query as searched: trimmed and refanged; null with a reason when it cannot be searched. */
export function normaliseSearchQuery(raw: string): { q: string } | { reason: string } {
  const trimmed = raw.trim();
  if (trimmed.length < SEARCH_MIN_LENGTH) return { reason: `Type at least ${SEARCH_MIN_LENGTH} characters.` };
  if (trimmed.length > SEARCH_MAX_LENGTH) return { reason: `Use at most ${SEARCH_MAX_LENGTH} characters.` };
  if (/[\u0000-\u001f\u007f]/.test(trimmed) || /[\ud800-\udfff]/.test(trimmed.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) {
    return { reason: 'The query contains characters no indicator has.' };
  }
  return { q: refang(trimmed) };
}

/** The smallest string greater than every string that starts with `prefix` (for a range read). */
function prefixEnd(prefix: string): string {
  return prefix + '\u{10ffff}';
}

export async function searchPublicIndicators(sql: SqlDriver, raw: string): Promise<SearchResult> {
  const n = normaliseSearchQuery(raw);
  if ('reason' in n) return { ok: false, q: raw.trim().slice(0, SEARCH_MAX_LENGTH), reason: n.reason };
  const q = n.q;
  return sharedCache<SearchResult>('search', sql, { ttlMs: 10_000, maxEntries: 500 }).get(q, () => runSearch(sql, q));
}

async function runSearch(sql: SqlDriver, q: string): Promise<SearchResult> {
  const lower = q.toLowerCase();
  const parsed = parseIndicator(q);
  const exact = parsed.ok ? { type: parsed.type, value: parsed.value } : null;
  const reversed = [...lower].reverse().join('');
  const rows = await sql.query<Row>(
    `WITH exact AS (
       SELECT i.*, 'exact' AS match, 0 AS rank FROM indicators i
       WHERE $1::text IS NOT NULL AND i.type = $1::"IndicatorType" AND i.value = $2
     ),
     prefix AS (
       SELECT p.*, 'prefix' AS match, 1 AS rank FROM (
         SELECT * FROM indicators WHERE value ~>=~ $3 AND value ~<~ $4 LIMIT ${SEARCH_SCAN_CAP}
       ) p
     ),
     suffix AS (
       SELECT s.*, 'suffix' AS match, 2 AS rank FROM (
         SELECT * FROM indicators WHERE reverse(value) ~>=~ $5 AND reverse(value) ~<~ $6 LIMIT ${SEARCH_SCAN_CAP}
       ) s
     ),
     recent AS (
       SELECT r.*, 'substring' AS match, 3 AS rank FROM (
         SELECT * FROM indicators WHERE public_last_seen IS NOT NULL ORDER BY public_last_seen DESC LIMIT ${SEARCH_RECENT_WINDOW}
       ) r WHERE strpos(lower(r.value), $3) > 0
     ),
     hits AS (
       SELECT DISTINCT ON (id) id, type, value, match, rank, public_count, public_first_seen, public_last_seen, retracted_at
       FROM (SELECT * FROM exact UNION ALL SELECT * FROM prefix UNION ALL SELECT * FROM suffix UNION ALL SELECT * FROM recent) x
       WHERE public_count > 0 AND retracted_at IS NULL
       ORDER BY id, rank
     )
     SELECT type::text AS type, value, match, public_count, public_first_seen, public_last_seen FROM hits
     ORDER BY rank, public_last_seen DESC, id DESC
     LIMIT ${SEARCH_LIMIT + 1}`,
    [exact?.type ?? null, exact?.value ?? null, lower, prefixEnd(lower), reversed, prefixEnd(reversed)],
  );
  return {
    ok: true,
    q,
    limited: rows.length > SEARCH_LIMIT,
    hits: rows.slice(0, SEARCH_LIMIT).map((r) => ({
      type: r.type,
      value: r.value,
      match: r.match,
      sightings: r.public_count,
      firstSeen: new Date(r.public_first_seen).toISOString(),
      lastSeen: new Date(r.public_last_seen).toISOString(),
    })),
  };
}
