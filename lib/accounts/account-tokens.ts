// Single-use account tokens (email verification, password reset, 2FA recovery codes): 32 random
// bytes given to the owner once (in a link or on screen); only their SHA-256 is stored, so a copy of
// the database cannot be used to reset anyone's password. Using one marks it used in the same
// statement that checks it is unused and unexpired, so two concurrent uses cannot both succeed.
import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../generated/prisma/client';

export type AccountTokenPurpose = 'verify_email' | 'reset_password' | 'recovery_code';

/** How long a mailed link works. */
export const TOKEN_TTL_MS: Record<Exclude<AccountTokenPurpose, 'recovery_code'>, number> = {
  reset_password: 3_600_000, // 1 hour
  verify_email: 3 * 86_400_000, // 3 days
};

export function hashAccountToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A URL-safe token shaped for links: 43 characters of base64url. */
export function newAccountToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Shaped like newAccountToken() (or a recovery code): anything else is not looked up. */
export function isTokenShaped(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 10 && value.length <= 100 && /^[A-Za-z0-9_-]+$/.test(value);
}

/** Issues a token for the user and returns it (the only time it exists in clear); drops their spent ones of this purpose. */
export async function issueAccountToken(
  prisma: PrismaClient,
  input: { userId: string; purpose: AccountTokenPurpose; ttlMs: number; token?: string },
): Promise<string> {
  const token = input.token ?? newAccountToken();
  // The user's used and expired ones of this purpose are of no further use: rows stay bounded by
  // what can still be used (each new link revokes the older ones).
  await prisma.accountToken.deleteMany({ where: { userId: input.userId, purpose: input.purpose, OR: [{ usedAt: { not: null } }, { expiresAt: { lte: new Date() } }] } });
  await prisma.accountToken.create({
    data: { userId: input.userId, purpose: input.purpose, tokenHash: hashAccountToken(token), expiresAt: new Date(Date.now() + input.ttlMs) },
  });
  return token;
}

/** The unused, unexpired token's user (without using it), or null. */
export async function peekAccountToken(prisma: PrismaClient, purpose: AccountTokenPurpose, token: unknown): Promise<{ id: string; userId: string } | null> {
  if (!isTokenShaped(token)) return null;
  return prisma.accountToken.findFirst({
    where: { tokenHash: hashAccountToken(token), purpose, usedAt: null, expiresAt: { gt: new Date() } },
    select: { id: true, userId: true },
  });
}

/** Uses the token (only `userId`'s, when given): its user's id when it was unused and unexpired (it is now used), else null. */
export async function consumeAccountToken(
  prisma: PrismaClient,
  purpose: AccountTokenPurpose,
  token: unknown,
  userId?: string,
): Promise<string | null> {
  if (!isTokenShaped(token)) return null;
  const rows = await prisma.accountToken.updateManyAndReturn({
    where: { tokenHash: hashAccountToken(token), purpose, usedAt: null, expiresAt: { gt: new Date() }, ...(userId ? { userId } : {}) },
    data: { usedAt: new Date() },
    select: { userId: true },
  });
  return rows[0]?.userId ?? null;
}

/** Makes every unused token of this purpose unusable (a newer link replaces the older ones). */
export async function revokeAccountTokens(prisma: PrismaClient, userId: string, purpose: AccountTokenPurpose): Promise<void> {
  await prisma.accountToken.updateMany({ where: { userId, purpose, usedAt: null }, data: { usedAt: new Date() } });
}
