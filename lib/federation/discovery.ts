// Discovery (docs/federation.md, "Discovery"), opt-in and never trusted: an instance introduces to
// its peers the links its operator flagged `introduce` (name, URL, instance id), over the link
// itself (the `peer:introductions` request of the socket.io protocol); peers found on the local
// network by mDNS (server/federation/mdns.ts, FEDERATION_MDNS) are recorded the same way. Either
// way they only become suggestions: no link exists until an operator accepts one with a token
// issued by that instance.
import { z } from 'zod';
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { addPeerLink, findPeerLinks, parsePeerUrl, type PeerLinkRow } from './links';
import { linkNameSchema } from './rules';

/** Who introduced a suggestion when it was found on the local network. */
export const MDNS_INTRODUCER = 'mdns';
/** At most this many peers are introduced in one answer, and kept from one. */
export const MAX_INTRODUCTIONS = 100;
/**
 * At most this many suggestions wait for an operator's answer per introducer (a link, or mDNS): a
 * peer that introduces new URLs on every connection adds none beyond it (it only refreshes its own).
 */
export const MAX_PENDING_SUGGESTIONS_PER_INTRODUCER = 100;

export const introducedPeerSchema = z.object({
  name: linkNameSchema,
  url: z.string().min(1).max(2000),
  // Instance ids are uuids; older or other peers may say something else, but never controls or spaces.
  instance: z.string().regex(/^[\w.:-]{1,64}$/).nullable(),
});
export type IntroducedPeer = z.infer<typeof introducedPeerSchema>;

export const introductionsSchema = z.object({
  /** The introducing instance's id. */
  instance: z.string().min(1).max(64),
  peers: z.array(z.unknown()).max(MAX_INTRODUCTIONS),
});
export type Introductions = { instance: string; peers: IntroducedPeer[] };

export interface PeerSuggestion {
  id: string;
  name: string;
  url: string;
  instance: string | null;
  introducedBy: string[];
  firstSeenAt: string;
  lastSeenAt: string;
}

/**
 * What this instance introduces to the peer asking over `asking` (its link and instance id): every
 * link flagged `introduce`, except the asker's own link and instance.
 */
export async function findIntroductions(sql: SqlSession, asking: { linkId: string | null; instance: string | null }): Promise<IntroducedPeer[]> {
  const rows = await sql.query<{ name: string; url: string; instance: string | null }>(
    `SELECT name, url, remote_instance AS instance FROM peer_links
     WHERE introduce AND ($1::uuid IS NULL OR id <> $1::uuid) AND ($2::text IS NULL OR remote_instance IS NULL OR remote_instance <> $2)
     ORDER BY name LIMIT ${MAX_INTRODUCTIONS}`,
    [asking.linkId, asking.instance],
  );
  return rows.map((r) => ({ name: r.name, url: r.url, instance: r.instance }));
}

const sameUrl = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Records introduced peers as suggestions (`introducedBy`: a link name, or "mdns"). Skips invalid
 * entries, this instance itself, and instances that are linked already; a dismissed suggestion
 * stays dismissed. Returns how many entries were recorded.
 */
export async function recordSuggestions(sql: SqlSession, localInstance: string, introducedBy: string, peers: unknown[]): Promise<number> {
  const links = await findPeerLinks(sql);
  // This introducer's suggestions, read once: their URLs (it may refresh those) and how many wait.
  const own = await sql.query<{ url: string; dismissed: boolean }>(`SELECT url, dismissed FROM peer_suggestions WHERE $1::text = ANY(introduced_by)`, [introducedBy]);
  const ownUrls = new Set(own.map((r) => r.url));
  let room = MAX_PENDING_SUGGESTIONS_PER_INTRODUCER - own.filter((r) => !r.dismissed).length;
  let recorded = 0;
  for (const raw of peers.slice(0, MAX_INTRODUCTIONS)) {
    const parsed = introducedPeerSchema.safeParse(raw);
    if (!parsed.success) continue;
    let url: string;
    try {
      url = parsePeerUrl(parsed.data.url);
    } catch {
      continue;
    }
    const { name, instance } = parsed.data;
    if (instance === localInstance) continue;
    if (links.some((l) => sameUrl(l.url, url) || (instance !== null && l.remote_instance === instance))) continue;
    // Once this introducer's pending suggestions are at the bound, it only refreshes its own.
    const mine = ownUrls.has(url);
    if (!mine && room <= 0) continue;
    await sql.query(
      `INSERT INTO peer_suggestions (name, url, instance, introduced_by) VALUES ($1, $2, $3, ARRAY[$4::text])
       ON CONFLICT (url) DO UPDATE SET last_seen_at = now(), instance = COALESCE(EXCLUDED.instance, peer_suggestions.instance),
         -- The name a peer's operator gave the link beats one made from a host name (mDNS).
         name = CASE WHEN $4::text <> '${MDNS_INTRODUCER}' AND peer_suggestions.introduced_by = ARRAY['${MDNS_INTRODUCER}']::text[] THEN EXCLUDED.name ELSE peer_suggestions.name END,
         introduced_by = CASE WHEN $4::text = ANY(peer_suggestions.introduced_by) THEN peer_suggestions.introduced_by
                              ELSE array_append(peer_suggestions.introduced_by, $4::text) END`,
      [name, url, instance, introducedBy],
    );
    if (!mine) {
      room -= 1;
      ownUrls.add(url);
    }
    recorded += 1;
  }
  return recorded;
}

const iso = (v: Date | string) => new Date(v).toISOString();

/** Suggestions an operator has not dismissed, minus instances linked since they were suggested. */
export async function findSuggestions(sql: SqlSession): Promise<PeerSuggestion[]> {
  const [rows, links] = await Promise.all([
    sql.query<{ id: string; name: string; url: string; instance: string | null; introduced_by: string[]; first_seen_at: Date | string; last_seen_at: Date | string }>(
      `SELECT id::text AS id, name, url, instance, introduced_by, first_seen_at, last_seen_at FROM peer_suggestions WHERE NOT dismissed ORDER BY first_seen_at, url`,
    ),
    findPeerLinks(sql),
  ]);
  return rows
    .filter((s) => !links.some((l) => sameUrl(l.url, s.url) || (s.instance !== null && l.remote_instance === s.instance)))
    .map((s) => ({
      id: s.id,
      name: s.name,
      url: s.url,
      instance: s.instance,
      introducedBy: s.introduced_by,
      firstSeenAt: iso(s.first_seen_at),
      lastSeenAt: iso(s.last_seen_at),
    }));
}

async function getSuggestionOrThrow(sql: SqlSession, rawUrl: string): Promise<PeerSuggestion> {
  const url = parsePeerUrl(rawUrl);
  const suggestion = (await findSuggestions(sql)).find((s) => sameUrl(s.url, url));
  if (!suggestion) throw new AppError('not_found', `no suggested peer at ${url} (sluice admin peer suggestions lists them)`, 404);
  return suggestion;
}

/**
 * The operator's yes: links to a suggested peer with a token that instance issued for us. Returns
 * the link and the local peer token for the other side (to complete the link both ways).
 */
export async function acceptSuggestion(
  deps: { prisma: PrismaClient; sql: SqlDriver },
  input: { url: string; token: string; name?: string; community?: boolean },
): Promise<{ link: PeerLinkRow; inboundToken?: string }> {
  if (!input.token) throw new AppError('invalid_token', 'accepting a suggested peer needs a peer token issued by that instance (sluice admin peer add there)');
  const suggestion = await getSuggestionOrThrow(deps.sql, input.url);
  const result = await addPeerLink(deps, { name: input.name?.trim() || suggestion.name, url: suggestion.url, token: input.token, community: input.community ?? false });
  await deps.sql.query(`DELETE FROM peer_suggestions WHERE id = $1::uuid`, [suggestion.id]);
  return result;
}

/** The operator's no: the suggestion is hidden and gossip does not bring it back. */
export async function dismissSuggestion(sql: SqlSession, rawUrl: string): Promise<PeerSuggestion> {
  const suggestion = await getSuggestionOrThrow(sql, rawUrl);
  await sql.query(`UPDATE peer_suggestions SET dismissed = true WHERE id = $1::uuid`, [suggestion.id]);
  return suggestion;
}
