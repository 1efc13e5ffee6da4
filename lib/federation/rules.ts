// Sharing rules of a peer link, per direction, as data (docs/federation.md). Outbound rules are
// enforced by the sending side's gateway for the peer token that connects; inbound rules by the
// receiving link before anything is ingested. AMBER and RED cannot even be written down; GREEN only
// on a link marked community. Pure: no I/O.
import { z } from 'zod';
import type { FirehoseEvent } from '../events';
import { INDICATOR_TYPES } from '../indicators/types';

/** The TLPs a rule may name. AMBER and RED never cross a link, whatever a rule says. */
export const SHAREABLE_TLPS = ['CLEAR', 'GREEN'] as const;

const feedRef = z
  .string()
  .trim()
  .toLowerCase()
  .min(1)
  .max(200)
  .regex(/^[\w.:@+-]+(\/[\w.:@+-]+)?$/, 'a feed is "slug" or "owner/slug"');
const tag = z.string().trim().toLowerCase().min(1).max(64);

export const sharingRulesSchema = z
  .object({
    /** Only these feeds ("slug" or "owner/slug"); absent = every feed. */
    feeds: z.array(feedRef).max(100).optional(),
    /** Never these feeds. */
    excludeFeeds: z.array(feedRef).max(100).optional(),
    /** TLPs that may cross. @default ["CLEAR"] (GREEN only on a community link). */
    tlps: z.array(z.enum(SHAREABLE_TLPS, { message: 'only CLEAR and GREEN may be shared; AMBER and RED never cross a link' })).min(1).max(2).optional(),
    /** Only these indicator types; absent = all. */
    types: z.array(z.enum(INDICATOR_TYPES)).max(INDICATOR_TYPES.length).optional(),
    /** Only events carrying at least one of these tags. */
    tags: z.array(tag).max(50).optional(),
    /** Only events with at least this confidence. */
    minConfidence: z.number().int().min(0).max(100).optional(),
    /** Pass on events this instance received from other peers (a mesh routes around failures). @default true */
    forward: z.boolean().optional(),
  })
  .strict();

export type SharingRules = z.infer<typeof sharingRulesSchema>;

/** Parses rules for a link; GREEN needs `community`. Throws a readable message. */
export function parseSharingRules(raw: unknown, community: boolean): SharingRules {
  const parsed = sharingRulesSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RulesError(`${issue.path.join('.') || 'rules'}: ${issue.message}`);
  }
  if (parsed.data.tlps?.includes('GREEN') && !community) throw new RulesError('tlps: GREEN is shared only with links marked community (--community)');
  return parsed.data;
}

export class RulesError extends Error {}

export interface CompiledRules {
  rules: SharingRules;
  matches(event: Pick<FirehoseEvent, 'indicator' | 'feed'> & { tlp?: string }): boolean;
}

const feedMatches = (set: Set<string>, feed: { slug: string; owner: string }) =>
  set.has(feed.slug.toLowerCase()) || set.has(`${feed.owner}/${feed.slug}`.toLowerCase());

export function compileRules(rules: SharingRules): CompiledRules {
  const tlps = new Set<string>(rules.tlps ?? ['CLEAR']);
  const types = rules.types?.length ? new Set<string>(rules.types) : null;
  const tags = rules.tags?.length ? new Set(rules.tags) : null;
  const feeds = rules.feeds?.length ? new Set(rules.feeds) : null;
  const excluded = rules.excludeFeeds?.length ? new Set(rules.excludeFeeds) : null;
  const minConfidence = rules.minConfidence ?? 0;
  const forward = rules.forward ?? true;
  return {
    rules,
    matches(event) {
      // Events in the firehose log are TLP:CLEAR (only public sightings enter it).
      const tlp = event.tlp ?? 'CLEAR';
      if (tlp === 'AMBER' || tlp === 'RED' || !tlps.has(tlp)) return false;
      if (types && !types.has(event.indicator.type)) return false;
      if (event.indicator.confidence < minConfidence) return false;
      if (tags && !event.indicator.tags.some((t) => tags.has(t.toLowerCase()))) return false;
      if (feeds && !feedMatches(feeds, event.feed)) return false;
      if (excluded && feedMatches(excluded, event.feed)) return false;
      if (!forward && event.feed.slug.startsWith(PEER_FEED_PREFIX)) return false;
      return true;
    },
  };
}

/** Events received over link `name` are ingested into the system feed `peer:<name>`. */
export const PEER_FEED_PREFIX = 'peer:';
export const peerFeedSlug = (linkName: string) => `${PEER_FEED_PREFIX}${linkName}`;

/** Link names: short, lower-case, safe in a feed slug and a URL. */
export const linkNameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a link name is 1–40 lower-case letters, digits and -, starting with a letter or digit');

/** Only the kinds that are sightings cross a link; derived ones (correlated, expired) each instance makes itself. */
export const FEDERATED_KINDS = new Set(['new', 'sighting']);
