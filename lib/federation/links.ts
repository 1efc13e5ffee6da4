// Peer links in the database (docs/federation.md): add, list, remove, pause/resume, rules. A link
// names a remote instance (URL + the peer token it issued us) and the local peer token it uses to
// stream from us; events received over it are ingested into the system feed `peer:<name>`.
import { ensureSystemFeeds } from '../analyzers/system-feeds';
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { createApiToken, revokeApiToken } from '../tokens';
import type { Engines } from '../engines';
import { linkNameSchema, parseSharingRules, peerFeedSlug, RulesError, type SharingRules } from './rules';

export interface PeerLinkRow extends Record<string, unknown> {
  id: string;
  name: string;
  url: string;
  token: string | null;
  inbound_token_id: string | null;
  inbound_prefix: string | null;
  community: boolean;
  paused: boolean;
  /** Introduced to this instance's other peers as a suggestion (discovery). */
  introduce: boolean;
  outbound: SharingRules;
  inbound: SharingRules;
  cursor: string | null;
  remote_instance: string | null;
  lease_owner: string | null;
  lease_until: Date | string | null;
  connected: boolean;
  last_event_at: Date | string | null;
  lag_ms: number | null;
  last_error: string | null;
  last_error_at: Date | string | null;
}

export const LINK_COLUMNS = `l.id::text AS id, l.name, l.url, l.token, l.inbound_token_id::text AS inbound_token_id, t.prefix AS inbound_prefix,
  l.community, l.paused, l.introduce, l.outbound, l.inbound, l.cursor, l.remote_instance, l.lease_owner, l.lease_until, l.connected,
  l.last_event_at, l.lag_ms, l.last_error, l.last_error_at`;
const FROM_LINKS = `FROM peer_links l LEFT JOIN api_tokens t ON t.id = l.inbound_token_id`;

export function parseLinkName(raw: string): string {
  const parsed = linkNameSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('invalid_name', parsed.error.issues[0].message);
  return parsed.data;
}

export function parsePeerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new AppError('invalid_url', 'the peer URL must be an http(s) URL, e.g. https://sluice.example.org');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('invalid_url', 'the peer URL must be http or https');
  if (url.username || url.password) throw new AppError('invalid_url', 'the peer URL must not carry credentials: pass the peer token with --token');
  return url.origin + url.pathname.replace(/\/+$/, '');
}

function rules(raw: unknown, community: boolean, direction: string): SharingRules {
  try {
    return parseSharingRules(raw, community);
  } catch (error) {
    if (error instanceof RulesError) throw new AppError('invalid_rules', `${direction} rules: ${error.message}`);
    throw error;
  }
}

export async function findPeerLinks(sql: SqlSession): Promise<PeerLinkRow[]> {
  return sql.query<PeerLinkRow>(`SELECT ${LINK_COLUMNS} ${FROM_LINKS} ORDER BY l.name`);
}

export async function getPeerLink(sql: SqlSession, name: string): Promise<PeerLinkRow | null> {
  const [row] = await sql.query<PeerLinkRow>(`SELECT ${LINK_COLUMNS} ${FROM_LINKS} WHERE l.name = $1`, [name]);
  return row ?? null;
}

async function getPeerLinkOrThrow(sql: SqlSession, name: string): Promise<PeerLinkRow> {
  const link = await getPeerLink(sql, parseLinkName(name));
  if (!link) throw new AppError('not_found', `no peer link named "${name}"`, 404);
  return link;
}

/** The system feed events from link `name` are ingested into (created with the link, kept after it). */
export async function ensurePeerFeed(sql: SqlDriver, name: string): Promise<string> {
  const systemUserId = await ensureSystemFeeds(sql);
  await sql.query(
    `INSERT INTO feeds (owner_id, slug, name, description, tlp, is_system) VALUES ($1::uuid, $2, $3, $4, 'CLEAR', true)
     ON CONFLICT (owner_id, slug) DO NOTHING`,
    [systemUserId, peerFeedSlug(name), `Peer ${name}`, `Events received from the peer instance "${name}" (docs/federation.md).`],
  );
  return systemUserId;
}

export interface AddPeerLinkInput {
  name: string;
  url: string;
  /** The peer token the remote instance issued for us (absent: the link only serves the remote). */
  token?: string;
  community?: boolean;
  /** Introduce this link to the instance's other peers (discovery). @default false */
  introduce?: boolean;
  /** Bind an existing local peer token (display prefix) instead of creating one. */
  inboundToken?: string;
  outbound?: unknown;
  inbound?: unknown;
}

/** Creates a link; returns it and, when it created one, the local peer token to give the remote's operator. */
export async function addPeerLink(deps: { prisma: PrismaClient; sql: SqlDriver }, input: AddPeerLinkInput): Promise<{ link: PeerLinkRow; inboundToken?: string }> {
  const name = parseLinkName(input.name);
  const url = parsePeerUrl(input.url);
  const community = input.community ?? false;
  const outbound = rules(input.outbound, community, 'outbound');
  const inbound = rules(input.inbound, community, 'inbound');
  if (input.token !== undefined && !/^slc_[A-Za-z0-9_-]{43}$/.test(input.token)) throw new AppError('invalid_token', 'the peer token must be a Sluice token (slc_ + 43 characters) issued by the remote instance');
  if (await getPeerLink(deps.sql, name)) throw new AppError('name_taken', `a peer link named "${name}" exists already`, 409);
  const systemUserId = await ensurePeerFeed(deps.sql, name);
  let inboundTokenId: string;
  let created: string | undefined;
  if (input.inboundToken) {
    const prefix = input.inboundToken.trim().replace(/…$/, '');
    const [row] = await deps.sql.query<{ id: string; scopes: string[]; revoked: boolean }>(
      `SELECT id::text AS id, scopes, revoked_at IS NOT NULL AS revoked FROM api_tokens WHERE prefix = $1`,
      [prefix],
    );
    if (!row || row.revoked) throw new AppError('not_found', `no live token with prefix ${prefix}`, 404);
    if (!row.scopes.includes('peer')) throw new AppError('scope_required', `token ${prefix} lacks the "peer" scope (sluice admin token create --scopes peer)`);
    inboundTokenId = row.id;
  } else {
    const token = await createApiToken(deps.prisma, { userId: systemUserId, name: `peer:${name}`, scopes: ['peer'] });
    inboundTokenId = token.id;
    created = token.token;
  }
  try {
    await deps.sql.query(
      `INSERT INTO peer_links (name, url, token, inbound_token_id, community, outbound, inbound, introduce) VALUES ($1, $2, $3, $4::uuid, $5, $6::jsonb, $7::jsonb, $8)`,
      [name, url, input.token ?? null, inboundTokenId, community, JSON.stringify(outbound), JSON.stringify(inbound), input.introduce ?? false],
    );
  } catch (error) {
    if ((error as { code?: string }).code === '23505') throw new AppError('name_taken', `a peer link named "${name}" exists, or token ${input.inboundToken} serves another link`, 409);
    throw error;
  }
  return { link: (await getPeerLink(deps.sql, name))!, ...(created ? { inboundToken: created } : {}) };
}

/** Removes a link; the peer token the link created for the remote is revoked (its stream ends). */
export async function removePeerLink(deps: { prisma: PrismaClient; sql: SqlDriver; engines: Engines }, name: string): Promise<{ revoked: string | null }> {
  const link = await getPeerLinkOrThrow(deps.sql, name);
  await deps.sql.query(`DELETE FROM peer_links WHERE id = $1::uuid`, [link.id]);
  if (link.inbound_prefix && link.inbound_token_id) {
    const [owner] = await deps.sql.query<{ system: boolean }>(
      `SELECT u.email = 'system@sluice.invalid' AS system FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1::uuid`,
      [link.inbound_token_id],
    );
    if (owner?.system) {
      await revokeApiToken(deps, { prefix: link.inbound_prefix });
      return { revoked: link.inbound_prefix };
    }
  }
  return { revoked: null };
}

export async function setPeerLinkPaused(sql: SqlSession, name: string, paused: boolean): Promise<PeerLinkRow> {
  const link = await getPeerLinkOrThrow(sql, name);
  await sql.query(`UPDATE peer_links SET paused = $2, updated_at = now() WHERE id = $1::uuid`, [link.id, paused]);
  return { ...link, paused };
}

export async function setPeerLinkRules(
  sql: SqlSession,
  name: string,
  change: { outbound?: unknown; inbound?: unknown; community?: boolean; token?: string; url?: string; introduce?: boolean },
): Promise<PeerLinkRow> {
  const link = await getPeerLinkOrThrow(sql, name);
  const community = change.community ?? link.community;
  const outbound = rules(change.outbound ?? link.outbound, community, 'outbound');
  const inbound = rules(change.inbound ?? link.inbound, community, 'inbound');
  if (change.token !== undefined && !/^slc_[A-Za-z0-9_-]{43}$/.test(change.token)) throw new AppError('invalid_token', 'the peer token must be a Sluice token (slc_ + 43 characters)');
  const url = change.url !== undefined ? parsePeerUrl(change.url) : link.url;
  await sql.query(
    `UPDATE peer_links SET outbound = $2::jsonb, inbound = $3::jsonb, community = $4, token = COALESCE($5, token), url = $6, introduce = $7, updated_at = now() WHERE id = $1::uuid`,
    [link.id, JSON.stringify(outbound), JSON.stringify(inbound), community, change.token ?? null, url, change.introduce ?? link.introduce],
  );
  return (await getPeerLink(sql, link.name))!;
}
