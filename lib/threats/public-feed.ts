// How public pages name a feed (see PublicFeedRef): SQL fragments over `feeds f JOIN users u`.
// A feed is named only while it is public (TLP:CLEAR, lib/feeds isPublicTlp) — the sightings it
// reported while public stay public, its later name does not — and its owner only by display name.
import type { PublicFeedRef } from './types';

/** The feed's slug while it is public, else NULL. */
export const PUBLIC_FEED_SLUG = `CASE WHEN f.tlp = 'CLEAR' THEN f.slug END`;
/** The feed's name while it is public, else NULL. */
export const PUBLIC_FEED_NAME = `CASE WHEN f.tlp = 'CLEAR' THEN f.name END`;
/** The owner's display name while the feed is public, else NULL (never the user id). */
export const PUBLIC_OWNER_NAME = `CASE WHEN f.tlp = 'CLEAR' THEN nullif(btrim(u.display_name), '') END`;

/**
 * `JOIN LATERAL (...) latest ON true`: the latest public sighting of the indicator `<alias>.id`,
 * giving `latest.feed_slug`, `latest.feed_owner` and `latest.confidence` (the feed a public list shows).
 */
export function latestPublicSightingJoin(alias: string): string {
  return `JOIN LATERAL (
       SELECT ${PUBLIC_FEED_SLUG} AS feed_slug, ${PUBLIC_OWNER_NAME} AS feed_owner, s.confidence
       FROM sightings s JOIN feeds f ON f.id = s.feed_id JOIN users u ON u.id = f.owner_id
       WHERE s.indicator_id = ${alias}.id AND s.is_public
       ORDER BY s.reported_at DESC, s.id DESC LIMIT 1
     ) latest ON true`;
}

/** What a public page writes for a feed: its slug, or "a private feed". */
export function publicFeedLabel(feed: PublicFeedRef | null): string {
  return feed ? feed.slug : 'a private feed';
}
