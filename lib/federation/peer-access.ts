// The sending side of a link (docs/federation.md): when a peer-scoped token connects to the
// firehose, which link it serves and that link's outbound rules. The gateway (server/gateway)
// combines the predicate with the stream's own filters: an event crosses only if the link's rules
// allow it, it did not come over this link or from the peer itself, and it has hops left.
import type { SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';
import type { FirehoseEvent } from '../events';
import type { VerifiedToken } from '../tokens';
import { countPeerEvents } from './counters';
import { compileRules, FEDERATED_KINDS, peerFeedSlug, type CompiledRules, type SharingRules } from './rules';

export interface PeerAccess {
  /** The link this token serves, or null for an operator's own peer token (default rules). */
  linkId: string | null;
  linkName: string | null;
  /** The connecting instance's id (handshake auth.peer.instance), when it said. */
  peerInstance: string | null;
  rules: CompiledRules;
  maxHops: number;
}

/**
 * Resolves a peer-scoped token to its link (or an operator's own peer token to the default rules).
 * A token that is neither is no peer: null when it also has `stream` (it streams as any user's token,
 * under the owner's plan), refused otherwise (AppError: the handshake turns it into connect_error).
 */
export async function resolvePeerAccess(
  sql: SqlSession,
  auth: Pick<VerifiedToken, 'tokenId' | 'user' | 'scopes'>,
  peerInstance: string | undefined,
  maxHops: number,
): Promise<PeerAccess | null> {
  const [link] = await sql.query<{ id: string; name: string; outbound: SharingRules; paused: boolean; remote_instance: string | null }>(
    `SELECT id::text AS id, name, outbound, paused, remote_instance FROM peer_links WHERE inbound_token_id = $1::uuid`,
    [auth.tokenId],
  );
  if (!link && !auth.user.isAdmin) {
    if (auth.scopes.includes('stream')) return null;
    throw new AppError('scope_required', 'a peer token serves a peer link (sluice admin peer add) or belongs to an operator', 403);
  }
  if (link?.paused) throw new AppError('unavailable', `the peer link "${link.name}" is paused on this instance; retry later`, 503);
  if (link && peerInstance && link.remote_instance !== peerInstance) {
    await sql.query(`UPDATE peer_links SET remote_instance = $2 WHERE id = $1::uuid`, [link.id, peerInstance]);
  }
  // Bound links use their rules as stored; an operator's own token gets the defaults (TLP:CLEAR).
  return { linkId: link?.id ?? null, linkName: link?.name ?? null, peerInstance: peerInstance ?? null, rules: compileRules(link?.outbound ?? {}), maxHops };
}

/** Whether `event` may be sent to this peer; counts what is sent as the link's "out". */
export function peerMayReceive(access: PeerAccess, event: FirehoseEvent): boolean {
  if (!FEDERATED_KINDS.has(event.kind)) return false;
  const origin = event.origin;
  if (origin) {
    if (access.peerInstance && origin.instance === access.peerInstance) return false; // back to where it began
    if (origin.hops >= access.maxHops) return false; // the receiver would drop it: one hop too many
  }
  if (access.linkName && event.feed.slug === peerFeedSlug(access.linkName)) return false; // back over the link it came from
  if (!access.rules.matches(event)) return false;
  if (access.linkId) countPeerEvents(access.linkId, 'out', 1);
  return true;
}
