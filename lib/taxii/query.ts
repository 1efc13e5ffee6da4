// The TAXII 2.1 URL parameters (§3.4): added_after, limit, next and the match[...] filters, checked
// at the edge; an unknown parameter is a 400 (a misspelt filter must not silently return everything).
import { AppError } from '../errors';
import { decodeStixCursor } from '../stix/cursor';

export const TAXII_LIMITS = { defaultLimit: 100, maxLimit: 1000 } as const;

export interface TaxiiQuery {
  /** Continue after this seq ("-2": from the start). */
  after: string;
  /** date_added must be later than this (RFC 3339, as given). */
  addedAfter: string | null;
  limit: number;
  types: string[] | null;
  ids: string[] | null;
  /** `first`, `last`, `all` or timestamps; null: the default, `last`. */
  versions: string[] | null;
  specVersions: string[] | null;
}

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/i;
const TYPE_RE = /^[a-z][a-z0-9-]{0,249}$/;
const ID_RE = /^[a-z][a-z0-9-]{0,249}--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TaxiiParam = 'added_after' | 'limit' | 'next' | 'match[type]' | 'match[id]' | 'match[version]' | 'match[spec_version]';

const bad = (message: string) => new AppError('invalid_parameter', message, 400);

function list(value: string, what: string, re: RegExp, max = 100): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (!items.length || items.length > max || items.some((s) => !re.test(s))) throw bad(`${what} must be a comma-separated list of at most ${max} valid values`);
  return items;
}

/**
 * An RFC 3339 timestamp naming a real instant: the calendar date exists (Date.parse rolls
 * 2026-02-30 over to March 2, which PostgreSQL then refuses: a 500), hours 00–23, minutes and
 * seconds 00–59, an offset within ±23:59.
 */
export function isTaxiiTimestamp(s: string): boolean {
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i]));
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false; // no year 0 in PostgreSQL
  const monthEnd = new Date(0);
  monthEnd.setUTCFullYear(year, month, 0); // day 0 of the next month: this month's last day (setUTCFullYear: years < 100 as given)
  if (day > monthEnd.getUTCDate()) return false;
  return m[8] === undefined || (Number(m[8]) <= 23 && Number(m[9]) <= 59);
}

/** Parses the query string, accepting only the parameters `allowed` names. */
export function parseTaxiiQuery(search: URLSearchParams, allowed: readonly TaxiiParam[]): TaxiiQuery {
  const q: TaxiiQuery = { after: '-2', addedAfter: null, limit: TAXII_LIMITS.defaultLimit, types: null, ids: null, versions: null, specVersions: null };
  const seen = new Set<string>();
  for (const [key, value] of search) {
    if (!(allowed as readonly string[]).includes(key)) throw bad(`unknown parameter "${key.slice(0, 64)}"; this endpoint takes ${allowed.join(', ') || 'none'}`);
    if (seen.has(key)) throw bad(`${key} is given twice`);
    seen.add(key);
    if (value.length > 8192) throw bad(`${key} is too long`);
    switch (key as TaxiiParam) {
      case 'added_after':
        if (!isTaxiiTimestamp(value)) throw bad('added_after must be an RFC 3339 timestamp, e.g. 2026-11-30T00:00:00.000000Z');
        q.addedAfter = value;
        break;
      case 'limit': {
        if (!/^\d{1,9}$/.test(value) || Number(value) < 1) throw bad(`limit must be a positive integer (at most ${TAXII_LIMITS.maxLimit} are returned)`);
        q.limit = Math.min(Number(value), TAXII_LIMITS.maxLimit);
        break;
      }
      case 'next':
        try {
          q.after = decodeStixCursor(value);
        } catch {
          throw bad('next is not a value this server returned; start again without it');
        }
        break;
      case 'match[type]':
        q.types = list(value, 'match[type]', TYPE_RE);
        break;
      case 'match[id]':
        q.ids = list(value, 'match[id]', ID_RE).map((s) => s.toLowerCase());
        break;
      case 'match[version]': {
        const versions = value.split(',').map((s) => s.trim());
        if (!versions.length || versions.length > 100 || versions.some((v) => !['first', 'last', 'all'].includes(v) && !isTaxiiTimestamp(v))) {
          throw bad('match[version] must be first, last, all or timestamps, comma-separated');
        }
        q.versions = versions;
        break;
      }
      case 'match[spec_version]':
        q.specVersions = list(value, 'match[spec_version]', /^\d\.\d$/);
        break;
    }
  }
  return q;
}
