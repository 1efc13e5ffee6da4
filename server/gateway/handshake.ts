// The /firehose handshake, run once per connection before it is admitted: the auth payload, the
// token (the same lib/ check as the REST API, with the client address for the token's allowed
// networks), the stream entitlement and the resume cursor.
// On success the socket carries its SocketData; on failure the client gets connect_error.
import type { Socket } from 'socket.io';
import { clientAddress, type ProxyTrustSetting } from '../../lib/client-address';
import { checkEntitlement } from '../../lib/entitlements';
import { checkCursor, type FirehoseLog } from '../../lib/engines/log/types';
import { isAppError } from '../../lib/errors';
import type { PrismaClient } from '../../lib/generated/prisma/client';
import type { Logger } from '../../lib/logger';
import { PLANS } from '../../lib/plans';
import { firehoseAuthSchema, type ConnectErrorData } from '../../lib/realtime/protocol';
import { streamLimit, type StreamSlots } from '../../lib/realtime/stream-slots';
import type { TokenCache } from '../../lib/token-cache';
import { parseBearer, verifyApiToken } from '../../lib/tokens';
import { DeliveredCursor } from './delivery';
import type { PeerAccess } from '../../lib/federation/peer-access';
import { withPeerRules } from '../federation/peer-filter';
import { compileFilter } from './filters';
import { refusal } from './refusal';
import type { SocketData } from './types';

export interface HandshakeDeps {
  prisma: PrismaClient;
  log: FirehoseLog;
  logger: Logger;
  slots: StreamSlots;
  /** Marks the handshake's start, so a control message during it is not missed. */
  watch?: { mark(): number };
  /** TRUST_PROXY: which X-Forwarded-For hops give the client address (lib/client-address.ts). @default false */
  trustProxy?: ProxyTrustSetting;
  /** STREAMS_PER_TOKEN: overrides the plan's limit; 0 = unlimited. */
  streamsPerToken?: number;
  /** Verified tokens reused for a few seconds (invalidated by control messages); without it, every handshake reads the database. */
  tokens?: Pick<TokenCache, 'verify'>;
  /** Resolves a peer-scoped token to its link's outbound rules (lib/federation), null when it serves none (then it needs `stream`), or refuses it. */
  peers?: { resolve(auth: Awaited<ReturnType<typeof verifyApiToken>>, instance: string | undefined): Promise<PeerAccess | null> };
}

/** Concurrent streams of one peer token (a link needs one; a few more ride out a reconnection). */
const PEER_STREAMS_PER_TOKEN = 4;

/** The token from `auth.token`, else from an `Authorization: Bearer` header. */
export function handshakeToken(socket: Pick<Socket, 'handshake'>): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown })?.token;
  if (typeof fromAuth === 'string') return fromAuth;
  return parseBearer(socket.handshake.headers.authorization) ?? undefined;
}

/**
 * How a refusal names the input that failed validation: socket.io clients sent an `auth` object,
 * HTTP stream clients query parameters (`filters.tags` is their `tags`, `token` their `access_token`).
 */
export type HandshakeInput = 'socket-auth' | 'query';

function describeInvalidInput(input: HandshakeInput, path: readonly PropertyKey[]): string {
  const keys = path.map(String);
  if (input === 'socket-auth') return `invalid handshake auth: ${keys.join('.') || 'auth'}`;
  const [first, second, ...rest] = keys;
  const name = first === 'filters' && second !== undefined ? [second, ...rest] : first === 'token' ? ['access_token', second, ...rest] : keys;
  return `invalid query parameter: ${name.filter((k) => k !== undefined).join('.') || 'query'}`;
}

/** Admits a socket (its SocketData) or refuses it with a connect_error. */
export async function admit(socket: Pick<Socket, 'handshake' | 'id'>, deps: HandshakeDeps, input: HandshakeInput = 'socket-auth'): Promise<SocketData> {
  const parsed = firehoseAuthSchema.safeParse(socket.handshake.auth ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refusal('invalid_request', `${describeInvalidInput(input, issue.path)}: ${issue.message}`);
  }
  const controlMark = deps.watch?.mark() ?? 0;
  const address = clientAddress({
    remoteAddress: socket.handshake.address,
    forwardedFor: socket.handshake.headers['x-forwarded-for'],
    trust: deps.trustProxy ?? false,
  });
  const raw = handshakeToken(socket);
  const auth = deps.tokens ? await deps.tokens.verify(raw, { address }) : await verifyApiToken(deps.prisma, raw, { address });
  // A peer token streams under its link's outbound rules, whatever the owner's plan. One that serves
  // no link and is no operator's is not a peer: with `stream` too, it streams like any other token.
  const peer = (auth.scopes.includes('peer') && deps.peers ? await deps.peers.resolve(auth, parsed.data.peer?.instance) : null) ?? undefined;
  if (!peer) {
    const entitlement = checkEntitlement(auth, 'stream');
    if (!entitlement.ok) throw refusal(entitlement.error.code as ConnectErrorData['code'], entitlement.error.message);
  }
  const since = parsed.data.since ?? null;
  if (since) {
    const check = await checkCursor(deps.log, since);
    if (!check.ok && check.code === 'invalid_cursor') throw refusal('invalid_cursor', 'since must be a cursor from an event (e.g. "1700000000000-0")');
    if (!check.ok && check.code === 'cursor_expired') {
      throw refusal('cursor_expired', `events after ${since} are no longer retained; backfill with GET /api/v1/indicators, then resume from the oldest cursor`, {
        oldest: check.oldest,
      });
    }
  }
  const filter = withPeerRules(compileFilter(parsed.data.filters), peer);
  // Last, so that a refusal above never holds a slot.
  const plan = PLANS[auth.user.plan];
  const limit = peer ? PEER_STREAMS_PER_TOKEN : streamLimit(plan.streamsPerToken, deps.streamsPerToken);
  if (Number.isFinite(limit) && !(await deps.slots.acquire(auth.tokenId, socket.id, limit))) {
    throw refusal('too_many_streams', `this token already has ${limit} open streams, the most ${deps.streamsPerToken === undefined ? `the ${plan.name} plan allows` : 'this server allows'}; close one, or use another token`, {
      limit,
    });
  }
  return { auth, filter, room: null, holdsSlot: Number.isFinite(limit), controlMark, since, lastCursor: since, delivered: new DeliveredCursor(since), ending: false, ...(peer ? { peer } : {}) };
}

/** The socket.io middleware around `admit`. */
export function createHandshake(deps: HandshakeDeps) {
  return async (socket: Socket, next: (error?: Error) => void) => {
    try {
      socket.data = await admit(socket, deps);
      next();
    } catch (error) {
      if ((error as { data?: unknown }).data) return next(error as Error);
      if (isAppError(error)) return next(refusal(error.code as ConnectErrorData['code'], error.message));
      // Our failure, not the client's (e.g. the database or Redis is unreachable): retryable.
      deps.logger.error({ err: error }, 'firehose handshake failed');
      next(refusal('unavailable', 'the server cannot check this connection right now; retry shortly'));
    }
  };
}
