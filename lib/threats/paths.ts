// URLs of the threats pages (no zod here: client components import it).
import type { ThreatFilters } from './types';

/**
 * The page URL of a set of filters: /threats, /threats/ipv4, /threats/tag/phishing,
 * /threats/ipv4/tag/phishing. Path segments (not a query string) so that every filtered view is
 * a cacheable page of its own.
 */
export function threatsPath(filters: Partial<ThreatFilters>): string {
  let path = '/threats';
  if (filters.type) path += `/${filters.type}`;
  if (filters.tag) path += `/tag/${encodeURIComponent(filters.tag)}`;
  return path;
}
