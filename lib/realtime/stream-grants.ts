// Whether open streams may go on, re-read from the database for many tokens in one query: the
// backstop for a revocation or plan change whose announcement (lib/control) never arrived, and the
// path by which a token's expiry (lib/token-limits) ends its open streams.
import type { PrismaClient } from '../generated/prisma/client';
import { PLANS } from '../plans';
import { isExpired } from '../token-limits';

/** Why a stream must end, or null while its token may still stream. */
export type StreamVerdict = 'token_revoked' | 'token_expired' | 'plan_ended' | null;

const CHUNK = 5000;

/** One verdict per token id (as of `now`); unknown (deleted) tokens count as revoked. */
export async function findStreamVerdicts(prisma: PrismaClient, tokenIds: Iterable<string>, now = Date.now()): Promise<Map<string, StreamVerdict>> {
  const ids = [...new Set(tokenIds)];
  const verdicts = new Map<string, StreamVerdict>(ids.map((id) => [id, 'token_revoked']));
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await prisma.apiToken.findMany({
      where: { id: { in: ids.slice(i, i + CHUNK) } },
      select: {
        id: true,
        revokedAt: true,
        expiresAt: true,
        scopes: true,
        peerLink: { select: { id: true } },
        user: { select: { plan: true, isAdmin: true, suspendedAt: true, deletionDueAt: true } },
      },
    });
    for (const row of rows) {
      // A peer token (docs/federation.md) streams whatever the owner's plan: a link is the operator's
      // decision. As in the handshake (lib/federation/peer-access), only one bound to a link or owned
      // by an operator is a peer; any other streams under its `stream` scope and the owner's plan.
      const peer = row.scopes.includes('peer') && (row.peerLink !== null || row.user.isAdmin);
      // A suspended account's tokens are refused like revoked ones (lib/accounts/suspension.ts), and
      // so are those of an account waiting to be deleted (lib/accounts/account-deletion.ts).
      if (row.revokedAt || row.user.suspendedAt || row.user.deletionDueAt || !(peer || row.scopes.includes('stream'))) continue;
      if (isExpired(row.expiresAt, now)) {
        verdicts.set(row.id, 'token_expired');
        continue;
      }
      verdicts.set(row.id, peer || PLANS[row.user.plan].streaming ? null : 'plan_ended');
    }
  }
  return verdicts;
}
