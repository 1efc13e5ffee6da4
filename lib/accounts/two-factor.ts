// Optional two-factor sign-in with TOTP (RFC 6238, any authenticator app) through otplib, and ten
// single-use recovery codes (stored as SHA-256 in account_tokens, shown once). Setting up stores a
// pending secret; the first right code turns 2FA on. Sign-in then needs a code (or a recovery code)
// after the password (lib/accounts/verify-credentials.ts).
import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { consumeAccountToken, issueAccountToken, revokeAccountTokens } from './account-tokens';
import { verifyPassword } from './password';

export const RECOVERY_CODE_COUNT = 10;
export { TWO_FACTOR_REQUIRED_MESSAGE } from './two-factor-messages';

const CENTURY_MS = 100 * 365 * 86_400_000;

/** A recovery code: 10 characters in two groups (xxxxx-xxxxx), lower-case letters and digits. */
function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(10);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 5)}-${chars.slice(5)}`;
}

const normaliseRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[^a-z0-9]/g, '');

/** Starts setup: a new pending secret, its otpauth:// URI and a QR code (data: URL) for the app. */
export async function startTwoFactorSetup(prisma: PrismaClient, userId: string): Promise<{ secret: string; uri: string; qr: string }> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { email: true, totpEnabledAt: true } });
  if (!user) throw new AppError('unauthenticated', 'Your session ended. Sign in again.', 401);
  if (user.totpEnabledAt) throw new AppError('two_factor_enabled', 'Two-factor sign-in is already on.', 409);
  const secret = generateSecret();
  await prisma.user.update({ where: { id: userId }, data: { totpSecret: secret } });
  const uri = generateURI({ issuer: 'Sluice', label: user.email, secret });
  return { secret, uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 200 }) };
}

async function codeMatches(secret: string, code: string): Promise<boolean> {
  if (!/^\d{6}$/.test(code)) return false;
  try {
    // One 30-second step either way for clocks that drift.
    return (await verify({ secret, token: code, epochTolerance: 30 })).valid;
  } catch {
    return false;
  }
}

/** Confirms setup with a code from the app: 2FA is on; returns the recovery codes (shown once). */
export async function confirmTwoFactor(prisma: PrismaClient, userId: string, code: unknown): Promise<{ recoveryCodes: string[] }> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { totpSecret: true, totpEnabledAt: true } });
  if (!user?.totpSecret || user.totpEnabledAt) throw new AppError('two_factor_not_pending', 'Start two-factor setup first.', 409);
  if (!(await codeMatches(user.totpSecret, String(code ?? '').trim()))) {
    throw new AppError('invalid_code', 'That code is not right. Check the time on your device and try the next code.', 400, { field: 'code' });
  }
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: userId }, data: { totpEnabledAt: new Date() } });
    await revokeAccountTokens(tx as unknown as PrismaClient, userId, 'recovery_code');
    for (const c of recoveryCodes) {
      await issueAccountToken(tx as unknown as PrismaClient, { userId, purpose: 'recovery_code', ttlMs: CENTURY_MS, token: normaliseRecoveryCode(c) });
    }
  });
  return { recoveryCodes };
}

/** Turns 2FA off (the password is required); the recovery codes stop working. */
export async function disableTwoFactor(prisma: PrismaClient, userId: string, password: unknown): Promise<void> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { passwordHash: true } });
  if (!user || !(await verifyPassword(user.passwordHash, typeof password === 'string' ? password.slice(0, 1024) : ''))) {
    throw new AppError('wrong_password', 'Your password is not right.', 400, { field: 'password' });
  }
  await prisma.user.update({ where: { id: userId }, data: { totpSecret: null, totpEnabledAt: null } });
  await revokeAccountTokens(prisma, userId, 'recovery_code');
}

/** The second factor at sign-in: a current TOTP code, or an unused recovery code (used up now). */
export async function checkSecondFactor(prisma: PrismaClient, user: { id: string; totpSecret: string | null }, code: string): Promise<boolean> {
  const trimmed = code.trim();
  if (user.totpSecret && (await codeMatches(user.totpSecret, trimmed))) return true;
  const recovery = normaliseRecoveryCode(trimmed);
  if (recovery.length !== 10) return false;
  return (await consumeAccountToken(prisma, 'recovery_code', recovery, user.id)) === user.id;
}
