// API tokens: `slc_` + a 256-bit random secret, shown once. Only its SHA-256 hash and a short
// display prefix are stored. Whether a token may do something is decided at use (lib/entitlements).
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from './generated/prisma/client';
import { announceInTransaction, deliverControl } from './control';
import type { Engines } from './engines';
import { AppError } from './errors';
import { displayText } from './http/parse-input';
import type { PlanId } from './plans';
import { addressAllowed, isExpired, MAX_ACTIVE_TOKENS, parseAllowedNetworks, parseExpiry } from './token-limits';

/** `peer`: a federation link of another instance streams through it (docs/federation.md). */
export const TOKEN_SCOPES = ['stream', 'submit', 'read', 'peer'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];
/**
 * The scopes users may give their own tokens (the dashboard). Not `peer`: a peer token serves a
 * federation link, so the operator makes it (`sluice admin peer add`, or `sluice admin token create
 * --scopes peer` to bind with `--inbound-token`; docs/federation.md).
 */
/** A token's name, shown on the dashboard, in the audit log and to operators. */
export const tokenNameSchema = displayText('token name', { min: 1, max: 100 });

export const USER_TOKEN_SCOPES = ['stream', 'submit', 'read'] as const satisfies readonly TokenScope[];
export type UserTokenScope = (typeof USER_TOKEN_SCOPES)[number];
export const TOKEN_PREFIX = 'slc_';
const TOKEN_RE = /^slc_[A-Za-z0-9_-]{43}$/;
/** Characters of the secret kept for display ("slc_AbCd1234…"). */
const DISPLAY_CHARS = 8;

export function hashToken(raw: string): string {
  return createHash('sha256').update(raw).digest('hex');
}

export interface CreatedToken {
  id: string;
  name: string;
  prefix: string;
  scopes: TokenScope[];
  createdAt: Date;
  /** Refused from this time on (401 token_expired); null: never. */
  expiresAt: Date | null;
  /** Canonical CIDR networks it may be used from (403 address_not_allowed elsewhere); empty: anywhere. */
  allowedNetworks: string[];
  /** The full token. Returned once, never stored. */
  token: string;
}

export async function createApiToken(
  prisma: PrismaClient,
  input: {
    userId: string;
    name: string;
    scopes: TokenScope[];
    /** A Date or ISO 8601 string in the future; absent/null: never expires (lib/token-limits). */
    expiresAt?: Date | string | null;
    /** CIDR networks or addresses, a list or one comma-separated string; absent/empty: anywhere. */
    allowedNetworks?: string | readonly string[] | null;
  },
): Promise<CreatedToken> {
  const named = tokenNameSchema.safeParse(input.name);
  if (!named.success) throw new AppError('invalid_name', named.error.issues[0].message);
  const name = named.data;
  const scopes = [...new Set(input.scopes)];
  if (!scopes.length || scopes.some((s) => !TOKEN_SCOPES.includes(s))) {
    throw new AppError('invalid_scopes', `scopes must be a non-empty subset of ${TOKEN_SCOPES.join(', ')}`);
  }
  const expiresAt = parseExpiry(input.expiresAt);
  const allowedNetworks = parseAllowedNetworks(input.allowedNetworks);
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  // The owner's row is locked while counting, so creations at the same moment take turns and
  // cannot together pass the cap.
  const row = await prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM users WHERE id = ${input.userId}::uuid FOR UPDATE`;
    const owner = await tx.user.findUnique({ where: { id: input.userId }, select: { deletionDueAt: true } });
    if (owner?.deletionDueAt) {
      throw new AppError('deletion_pending', 'This account is scheduled for deletion: cancel the deletion on /settings before creating tokens.', 409);
    }
    if (!scopes.includes('peer')) {
      const active = await tx.apiToken.count({
        where: { userId: input.userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }], NOT: { scopes: { has: 'peer' } } },
      });
      if (active >= MAX_ACTIVE_TOKENS) {
        throw new AppError(
          'too_many_tokens',
          `This account has ${active} active API tokens, the most it may have (${MAX_ACTIVE_TOKENS}). Revoke tokens you no longer use, then create a new one.`,
          409,
        );
      }
    }
    return tx.apiToken.create({
      data: {
        userId: input.userId,
        name,
        scopes: [...scopes].sort(),
        hash: hashToken(token),
        prefix: token.slice(0, TOKEN_PREFIX.length + DISPLAY_CHARS),
        expiresAt,
        allowedNetworks,
      },
      select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, expiresAt: true, allowedNetworks: true },
    });
  });
  return { ...row, scopes: row.scopes as TokenScope[], token };
}

export interface VerifiedToken {
  tokenId: string;
  tokenName: string;
  prefix: string;
  scopes: TokenScope[];
  user: { id: string; email: string; plan: PlanId; isAdmin: boolean };
}

/** Recent uses are not re-written: last-used time is accurate to a minute, without a write per call. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** Where a token is being used from: the client address (lib/client-address.ts), null when unknown. */
export interface TokenUse {
  address: string | null;
}

/** What verification reads of a token row (lib/token-cache.ts keeps these for a few seconds). */
export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  allowedNetworks: string[];
  user: VerifiedToken['user'] & { suspendedAt: Date | null; deletionDueAt: Date | null };
}

/** The stored hash of a raw token; throws invalid_token when it is absent or malformed. */
export function presentedTokenHash(raw: string | null | undefined): string {
  if (!raw) throw new AppError('invalid_token', 'an API token is required (Authorization: Bearer slc_…)', 401);
  if (!TOKEN_RE.test(raw)) throw new AppError('invalid_token', 'the API token is malformed', 401);
  return hashToken(raw);
}

/** The row with this hash (see presentedTokenHash), null when there is none. */
export async function tokenRowByHash(prisma: PrismaClient, hash: string): Promise<TokenRow | null> {
  return prisma.apiToken.findUnique({
    where: { hash },
    select: {
      id: true,
      name: true,
      prefix: true,
      scopes: true,
      revokedAt: true,
      lastUsedAt: true,
      expiresAt: true,
      allowedNetworks: true,
      user: { select: { id: true, email: true, plan: true, isAdmin: true, suspendedAt: true, deletionDueAt: true } },
    },
  }) as Promise<TokenRow | null>;
}

/** Throws the refusal for this use of a row, if any: revoked, owner suspended or pending deletion, expired, or not from its allowed networks. */
export function checkTokenRow(row: TokenRow | null, use: TokenUse): asserts row is TokenRow {
  if (!row || row.revokedAt) throw new AppError('invalid_token', 'the API token is unknown or revoked', 401);
  // The same code as a revoked token (no new refusal for clients to learn): refused while suspended, not revoked.
  if (row.user.suspendedAt) throw new AppError('invalid_token', `the account that owns the API token ${row.prefix}… is suspended`, 401);
  // Likewise while its owner's account waits to be deleted (lib/accounts/account-deletion.ts).
  if (row.user.deletionDueAt) {
    throw new AppError('invalid_token', `the API token ${row.prefix}… is suspended: its account is scheduled for deletion (cancel the deletion on /settings to use it again)`, 401);
  }
  if (isExpired(row.expiresAt)) {
    throw new AppError('token_expired', `the API token ${row.prefix}… expired at ${row.expiresAt!.toISOString()}; create a new one`, 401);
  }
  if (!addressAllowed(use.address, row.allowedNetworks)) {
    throw new AppError(
      'address_not_allowed',
      `the API token ${row.prefix}… may only be used from ${row.allowedNetworks.join(', ')}; this request comes from ${use.address ?? 'an unknown address'}`,
      403,
    );
  }
}

/** Records a use, at most once a minute per token (fire and forget). Returns whether it wrote. */
export function touchTokenRow(prisma: PrismaClient, row: Pick<TokenRow, 'id' | 'lastUsedAt'>, now = Date.now()): boolean {
  if (row.lastUsedAt && now - row.lastUsedAt.getTime() <= LAST_USED_RESOLUTION_MS) return false;
  void prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  return true;
}

export function verifiedToken(row: TokenRow): VerifiedToken {
  const { suspendedAt: _suspended, deletionDueAt: _pending, ...user } = row.user;
  return { tokenId: row.id, tokenName: row.name, prefix: row.prefix, scopes: row.scopes as TokenScope[], user };
}

/**
 * Resolves a raw token to its owner and scopes, at every use (REST, TAXII, exports, both stream
 * transports). Throws AppError invalid_token (401) for a missing, malformed, unknown or revoked
 * token, token_expired (401) once its expiry has passed, and address_not_allowed (403) when it lists
 * networks and `use.address` is in none of them (an unknown address is in none).
 */
export async function verifyApiToken(prisma: PrismaClient, raw: string | null | undefined, use: TokenUse): Promise<VerifiedToken> {
  const row = await tokenRowByHash(prisma, presentedTokenHash(raw));
  checkTokenRow(row, use);
  touchTokenRow(prisma, row);
  return verifiedToken(row);
}

export async function findApiTokens(prisma: PrismaClient, userId: string) {
  return prisma.apiToken.findMany({
    where: { userId },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true, allowedNetworks: true },
  });
}

/**
 * Revokes a token and announces it, in one place: the revocation and its token_revoked announcement
 * commit together (lib/control), then the announcement is published at once, or by the control
 * relay once Redis is back, so live streams end on every node. Ownership is part of the lookup (pass
 * userId) unless an operator revokes by prefix. Revoking again re-announces (harmless).
 */
export async function revokeApiToken(
  deps: { prisma: PrismaClient; engines: Engines },
  where: { id: string; userId: string } | { prefix: string },
): Promise<{ id: string; userId: string; prefix: string }> {
  const revoked = await deps.prisma.$transaction(async (tx) => {
    const row = await tx.apiToken.findFirst({
      where: 'prefix' in where ? { prefix: where.prefix } : { id: where.id, userId: where.userId },
      select: { id: true, userId: true, revokedAt: true, prefix: true },
    });
    if (!row) throw new AppError('not_found', 'no such token', 404);
    if (!row.revokedAt) await tx.apiToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await announceInTransaction(tx, { type: 'token_revoked', tokenId: row.id, userId: row.userId });
    return { id: row.id, userId: row.userId, prefix: row.prefix };
  });
  await deliverControl(deps);
  return revoked;
}

/** The token in an `Authorization: Bearer <token>` header (scheme case-insensitive), or null. */
export function parseBearer(header: string | null | undefined): string | null {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1] : null;
}
