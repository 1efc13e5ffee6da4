// Display helpers shared by server and client components (no Node imports here).
import type { IndicatorType } from '../indicators/types';

/** "just now", "5 minutes ago", "3 hours ago", "2 days ago". */
export function formatAgo(iso: string, now: number): string {
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (seconds < 45) return 'just now';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return minutes === 1 ? '1 minute ago' : `${minutes} minutes ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  const days = Math.round(hours / 24);
  return `${days} days ago`;
}

/** "2026-11-22 01:55:30 UTC" */
export function formatUtc(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

export function formatCount(n: number): string {
  return new Intl.NumberFormat('en-US').format(n);
}

/** Our own page for an indicator: the only link an indicator value ever gets. */
export function indicatorPath(type: IndicatorType, value: string): string {
  return `/i/${type}/${encodeURIComponent(value)}`;
}

export const TYPE_LABELS: Record<IndicatorType, string> = {
  ipv4: 'IPv4',
  ipv6: 'IPv6',
  cidr: 'CIDR',
  domain: 'Domain',
  url: 'URL',
  email: 'Email',
  md5: 'MD5',
  sha1: 'SHA-1',
  sha256: 'SHA-256',
  sha512: 'SHA-512',
};

/** The most frequent tags of a list of items, most frequent first. */
export function topTags(items: { tags: string[] }[], n: number): { tag: string; count: number }[] {
  const counts = new Map<string, number>();
  for (const item of items) for (const tag of item.tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return [...counts]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([tag, count]) => ({ tag, count }));
}

/**
 * The time a server component renders at, for "N minutes ago": a server component renders once per
 * request (never re-renders), so reading the clock there is stable for that page.
 */
export function renderTime(): number {
  return Date.now();
}
