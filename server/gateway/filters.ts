// Stream filters → rooms. Every distinct filter set is one socket.io room, keyed canonically, so
// the dispatcher evaluates each event once per distinct filter on this node (not once per client)
// and writes one encoded frame to all the room's sockets.
import type { FirehoseEvent } from '../../lib/events';
import type { StreamFilters } from '../../lib/realtime/protocol';

export interface CompiledFilter {
  key: string;
  filters: StreamFilters;
  /** No filter at all: the frame is the whole batch. */
  matchesAll: boolean;
  matches(event: FirehoseEvent): boolean;
}

/** Sorts and de-duplicates so that equivalent filters share one room. */
export function canonicalFilters(filters: StreamFilters = {}): StreamFilters {
  const sorted = (values?: string[]) => (values?.length ? [...new Set(values)].sort() : undefined);
  const result: StreamFilters = {};
  const types = sorted(filters.types) as StreamFilters['types'];
  if (types) result.types = types;
  const tags = sorted(filters.tags);
  if (tags) result.tags = tags;
  const feeds = sorted(filters.feeds);
  if (feeds) result.feeds = feeds;
  if (filters.minConfidence) result.minConfidence = filters.minConfidence;
  if (filters.asns?.length) result.asns = [...new Set(filters.asns)].sort((a, b) => a - b);
  const countries = sorted(filters.countries);
  if (countries) result.countries = countries;
  return result;
}

export function compileFilter(raw: StreamFilters = {}): CompiledFilter {
  const filters = canonicalFilters(raw);
  const types = filters.types ? new Set<string>(filters.types) : null;
  const tags = filters.tags ? new Set(filters.tags) : null;
  const feeds = filters.feeds ? new Set(filters.feeds) : null;
  const minConfidence = filters.minConfidence ?? 0;
  // Enrichment filters (docs/enrichment.md): an event without the field (not an IP, or unknown to
  // the database) never matches them.
  const asns = filters.asns ? new Set(filters.asns) : null;
  const countries = filters.countries ? new Set(filters.countries) : null;
  return {
    key: `f:${JSON.stringify(filters)}`,
    filters,
    matchesAll: !types && !tags && !feeds && !minConfidence && !asns && !countries,
    matches(event) {
      if (asns && (event.indicator.asn === undefined || !asns.has(event.indicator.asn))) return false;
      if (countries && (event.indicator.country === undefined || !countries.has(event.indicator.country))) return false;
      if (types && !types.has(event.indicator.type)) return false;
      if (minConfidence && event.indicator.confidence < minConfidence) return false;
      if (tags && !event.indicator.tags.some((t) => tags.has(t.toLowerCase()))) return false;
      if (feeds && !feeds.has(event.feed.slug) && !feeds.has(`${event.feed.owner}/${event.feed.slug}`.toLowerCase())) return false;
      return true;
    },
  };
}
