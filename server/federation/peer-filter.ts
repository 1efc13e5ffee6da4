// A peer stream's filter: the stream's own filters AND its link's outbound rules (lib/federation).
// Its room is the link's own, so the rules are evaluated once per event per link, not per socket.
import { peerMayReceive, type PeerAccess } from '../../lib/federation/peer-access';
import type { CompiledFilter } from '../gateway/filters';

export function withPeerRules(filter: CompiledFilter, peer: PeerAccess | undefined): CompiledFilter {
  if (!peer) return filter;
  return {
    key: `peer:${peer.linkId ?? 'operator'}:${peer.peerInstance ?? ''}:${filter.key}`,
    filters: filter.filters,
    matchesAll: false,
    matches: (event) => filter.matches(event) && peerMayReceive(peer, event),
  };
}
