// Control messages (lib/control) as the gateway acts on them: which open streams a revocation or
// a plan change ends, and why.
import type { ControlMessage } from '../../lib/control';
import { PLANS } from '../../lib/plans';
import type { StreamEndReason } from '../../lib/realtime/protocol';
import type { SocketData } from './types';

export interface StreamEnding {
  reason: StreamEndReason;
  message: string;
}

/** What a control message means for one stream: null when it does not concern it. */
export function endingFor(message: ControlMessage, data: Pick<SocketData, 'auth'> | undefined): StreamEnding | null {
  if (!data?.auth) return null;
  if (message.type === 'token_revoked' && data.auth.tokenId === message.tokenId) {
    return { reason: 'token_revoked', message: 'this API token was revoked' };
  }
  if (message.type === 'plan_changed' && !PLANS[message.plan].streaming && data.auth.user.id === message.userId) {
    return { reason: 'plan_ended', message: 'the Firehose plan ended for this account' };
  }
  return null;
}
