// The /firehose handshake, run once per connection before it is admitted: the auth payload, the
// token (the same lib/ check as the REST API), the stream entitlement and the resume cursor.
// On success the socket carries its SocketData; on failure the client gets connect_error.
import type { Socket } from 'socket.io';
import { checkEntitlement } from '../../lib/entitlements';
import { checkCursor, type FirehoseLog } from '../../lib/engines/log/types';
import { isAppError } from '../../lib/errors';
import type { PrismaClient } from '../../lib/generated/prisma/client';
import type { Logger } from '../../lib/logger';
import { firehoseAuthSchema, type ConnectErrorData } from '../../lib/realtime/protocol';
import { verifyApiToken } from '../../lib/tokens';
import { compileFilter } from './filters';
import { refusal } from './refusal';
import type { SocketData } from './types';

export interface HandshakeDeps {
  prisma: PrismaClient;
  log: FirehoseLog;
  logger: Logger;
}

/** The token from `auth.token`, else from an `Authorization: Bearer` header. */
export function handshakeToken(socket: Pick<Socket, 'handshake'>): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown })?.token;
  if (typeof fromAuth === 'string') return fromAuth;
  const header = socket.handshake.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

/** Admits a socket (its SocketData) or refuses it with a connect_error. */
export async function admit(socket: Pick<Socket, 'handshake'>, deps: HandshakeDeps): Promise<SocketData> {
  const parsed = firehoseAuthSchema.safeParse(socket.handshake.auth ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw refusal('invalid_request', `invalid handshake auth: ${issue.path.join('.') || 'auth'}: ${issue.message}`);
  }
  const auth = await verifyApiToken(deps.prisma, handshakeToken(socket));
  const entitlement = checkEntitlement(auth, 'stream');
  if (!entitlement.ok) throw refusal(entitlement.error.code as ConnectErrorData['code'], entitlement.error.message);
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
  return { auth, filter: compileFilter(parsed.data.filters), room: null, since, lastCursor: since, ending: false };
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
      deps.logger.error({ err: error }, 'firehose handshake failed');
      next(refusal('invalid_request', 'the server could not authenticate this connection; try again'));
    }
  };
}
