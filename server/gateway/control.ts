// Ending streams whose token or plan no longer allows them, on three paths:
// - control messages (lib/control): a revocation or plan change announced to every node;
// - the handshake window: a message that arrives after a socket's token was verified but before
//   it is registered cannot find it; ControlWatch remembers which tokens and users had messages,
//   and such a socket is re-checked as soon as it connects;
// - the backstop: every open stream is re-checked against the database periodically (one query
//   for all of this node's tokens), for announcements that were lost (e.g. Redis down).
import type { ControlMessage } from '../../lib/control';
import { PLANS } from '../../lib/plans';
import type { StreamEndReason } from '../../lib/realtime/protocol';
import type { StreamVerdict } from '../../lib/realtime/stream-grants';
import type { SocketData } from './types';

export interface StreamEnding {
  reason: StreamEndReason;
  message: string;
}

const ENDINGS: Record<Exclude<StreamVerdict, null>, StreamEnding> = {
  token_revoked: { reason: 'token_revoked', message: 'this API token was revoked' },
  token_expired: { reason: 'token_expired', message: 'this API token expired; create a new one' },
  plan_ended: { reason: 'plan_ended', message: 'the Firehose plan ended for this account' },
};

/** Final, like a revocation: the token itself is not revoked, but it is refused while the account is suspended. */
const SUSPENDED: StreamEnding = { reason: 'token_revoked', message: 'this account is suspended' };

export const endingForVerdict = (verdict: StreamVerdict): StreamEnding | null => (verdict ? ENDINGS[verdict] : null);

/** What a control message means for one stream: null when it does not concern it. */
export function endingFor(message: ControlMessage, data: Pick<SocketData, 'auth' | 'peer'> | undefined): StreamEnding | null {
  if (!data?.auth) return null;
  if (message.type === 'token_revoked' && data.auth.tokenId === message.tokenId) return ENDINGS.token_revoked;
  if (message.type === 'user_suspended' && data.auth.user.id === message.userId) return SUSPENDED;
  if (message.type === 'plan_changed' && !PLANS[message.plan].streaming && data.auth.user.id === message.userId && !data.peer) return ENDINGS.plan_ended; // a link streams whatever the plan
  return null;
}

/**
 * Remembers, for a while, which tokens and users had control messages, numbered in arrival
 * order. A handshake takes a mark before it verifies the token; if a message for its token or
 * user arrived after that mark, the verification may predate the change: re-check.
 */
export class ControlWatch {
  private seq = 0;
  private readonly last = new Map<string, { seq: number; at: number }>();

  constructor(private readonly keepMs = 120_000) {}

  mark(): number {
    return this.seq;
  }

  note(message: ControlMessage): void {
    this.seq += 1;
    const now = Date.now();
    const entry = { seq: this.seq, at: now };
    if (message.type === 'token_revoked') this.last.set(`t:${message.tokenId}`, entry);
    this.last.set(`u:${message.userId}`, entry);
    // Prune: a handshake takes seconds at most, not minutes.
    if (this.last.size > 1000 || this.seq % 100 === 0) {
      for (const [key, value] of this.last) if (now - value.at > this.keepMs) this.last.delete(key);
    }
  }

  /** A message for this token or its user arrived after `mark`. */
  changedSince(mark: number, auth: SocketData['auth']): boolean {
    const t = this.last.get(`t:${auth.tokenId}`);
    const u = this.last.get(`u:${auth.user.id}`);
    return (t !== undefined && t.seq > mark) || (u !== undefined && u.seq > mark);
  }
}
