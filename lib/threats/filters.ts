// Parses the threats page's query string (?type=&tag=) — the same filters for the page and exports.
import { z } from 'zod';
import { INDICATOR_TYPES } from '../indicators/types';
import { tagSchema } from '../ingest/schemas';
import { threatsPath } from './paths';
import type { ThreatFilters } from './types';

export { threatsPath };

const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

const filtersSchema = z.object({
  type: z.preprocess(first, z.enum(INDICATOR_TYPES).optional().catch(undefined)),
  // The ingest rule for tags: anything else (NUL, controls, 65+ characters) names no tag that can exist.
  tag: z.preprocess(first, tagSchema.optional().catch(undefined)),
});

type QueryLike = URLSearchParams | Record<string, string | string[] | undefined>;

/** Unknown or malformed values are ignored (a public page never errors on a bad link). */
export function parseThreatFilters(query: QueryLike): ThreatFilters {
  const raw = query instanceof URLSearchParams ? { type: query.get('type') ?? undefined, tag: query.get('tag') ?? undefined } : query;
  const parsed = filtersSchema.parse({ type: raw.type || undefined, tag: raw.tag || undefined });
  return { type: parsed.type ?? null, tag: parsed.tag ?? null };
}

/** The query string for a set of filters ("" when none), e.g. to build export links. */
export function threatFiltersQuery(filters: Partial<ThreatFilters>): string {
  const params = new URLSearchParams();
  if (filters.type) params.set('type', filters.type);
  if (filters.tag) params.set('tag', filters.tag);
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const filtersKey = (f: ThreatFilters): string => `${f.type ?? '*'}\u0000${f.tag ?? '*'}`;

/** The filters named by the segments after /threats, or null when they name none (a 404). */
export function parseThreatsPath(segments: string[] | undefined): ThreatFilters | null {
  const s = [...(segments ?? [])];
  let type: string | undefined;
  let tag: string | undefined;
  if (s.length && s[0] !== 'tag') type = s.shift();
  if (s.length) {
    if (s.length !== 2 || s[0] !== 'tag') return null;
    try {
      tag = decodeURIComponent(s[1]);
    } catch {
      return null;
    }
  }
  const filters = parseThreatFilters({ type, tag });
  if ((type && !filters.type) || (tag && !filters.tag)) return null;
  // One URL per view: a tag written differently (case, spaces) is not a second page.
  if (tag !== undefined && tag !== filters.tag) return null;
  return filters;
}
