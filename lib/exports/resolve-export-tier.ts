// Which tier an export request gets: Firehose (current data) for a token whose owner is on the
// Firehose plan, Free (delayed) for everyone else — anonymous callers and free-plan tokens alike.
// Credentials that are sent are never silently ignored: an Authorization header that is not a
// Bearer token, or a token that is not valid, is refused (401); a token without the read or stream
// scope (a submit-only token) is refused (403) rather than answered as if it were anonymous.
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { Engines } from '../engines';
import type { LimitVerdict } from '../plan-limits';
import { PLANS } from '../plans';
import { parseBearer, verifyApiToken, type TokenUse, type VerifiedToken } from '../tokens';
import type { ExportTier } from './types';

export async function resolveExportTier(
  prisma: PrismaClient,
  /** The request's Authorization header; null (or blank) for an anonymous request. */
  authorization: string | null,
  use: TokenUse,
  /** How to verify the token: verifyApiToken (a database read) unless a cache is given (lib/token-cache.ts). */
  verify: (raw: string, use: TokenUse) => Promise<VerifiedToken> = (raw, u) => verifyApiToken(prisma, raw, u),
): Promise<{ tier: ExportTier; auth: VerifiedToken | null }> {
  if (authorization === null || authorization.trim() === '') return { tier: 'free', auth: null };
  const bearer = parseBearer(authorization);
  if (bearer === null) {
    throw new AppError('invalid_token', 'send the token as Authorization: Bearer slc_…, or no Authorization header for the free tier', 401);
  }
  const auth = await verify(bearer, use);
  if (!auth.scopes.includes('read') && !auth.scopes.includes('stream')) {
    throw new AppError('scope_required', 'exports need a token with the "read" or "stream" scope (or no token, for the free tier)', 403, { scope: 'read' });
  }
  return { tier: PLANS[auth.user.plan].streaming ? 'firehose' : 'free', auth };
}

/** One anonymous export request from a client address (the key), against EXPORTS_ANONYMOUS_PER_MINUTE. */
export async function consumeAnonymousExport(engines: Pick<Engines, 'rateLimiter'>, perMinute: number, key: string): Promise<LimitVerdict> {
  if (perMinute === 0) return { allowed: true, remaining: Infinity };
  const r = await engines.rateLimiter({ name: 'exports:anonymous', points: perMinute, durationSeconds: 60 }).consume(key);
  if (r.allowed) return r;
  const retryAfterSeconds = Math.ceil(r.retryAfterMs / 1000);
  return {
    allowed: false,
    retryAfterSeconds,
    code: 'rate_limited',
    message: `at most ${perMinute} anonymous export requests a minute per address; poll less often (use ETag / If-None-Match) or send a token; retry in ${retryAfterSeconds} s`,
  };
}
