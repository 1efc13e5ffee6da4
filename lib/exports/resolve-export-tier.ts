// Which tier an export request gets: Firehose (current data) for a token whose owner is on the
// Firehose plan, Free (delayed) for everyone else — anonymous callers and free-plan tokens alike. A
// token that is sent but not valid is refused (401), never silently downgraded.
import type { PrismaClient } from '../generated/prisma/client';
import type { Engines } from '../engines';
import type { LimitVerdict } from '../plan-limits';
import { PLANS } from '../plans';
import { verifyApiToken, type TokenUse, type VerifiedToken } from '../tokens';
import type { ExportTier } from './types';

export async function resolveExportTier(
  prisma: PrismaClient,
  bearer: string | null,
  use: TokenUse,
  /** How to verify the token: verifyApiToken (a database read) unless a cache is given (lib/token-cache.ts). */
  verify: (raw: string, use: TokenUse) => Promise<VerifiedToken> = (raw, u) => verifyApiToken(prisma, raw, u),
): Promise<{ tier: ExportTier; auth: VerifiedToken | null }> {
  if (bearer === null) return { tier: 'free', auth: null };
  const auth = await verify(bearer, use);
  const current = PLANS[auth.user.plan].streaming && (auth.scopes.includes('read') || auth.scopes.includes('stream'));
  return { tier: current ? 'firehose' : 'free', auth };
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
