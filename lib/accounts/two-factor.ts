// Optional two-factor sign-in with TOTP (RFC 6238, any authenticator app) through otplib, and ten
// single-use recovery codes (stored as SHA-256 in account_tokens, shown once). Setting up stores a
// pending secret; the first right code turns 2FA on. Sign-in then needs a code (or a recovery code)
// after the password (lib/accounts/verify-credentials.ts). A TOTP code works once: the time step of
// the last one accepted is kept per account and only a later step is accepted (RFC 6238 §5.2).
import { randomBytes } from 'node:crypto';
import { generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';
import type { Engines } from '../engines';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { consumeAccountToken, issueAccountToken, revokeAccountTokens } from './account-tokens';
import { verifyPassword } from './password';
import { confirmIdentity } from './password-confirmation';
import { PASSWORD_MAX_LENGTH } from './validation';

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
  // A new secret starts a new sequence of codes: none of it was accepted yet.
  await prisma.user.update({ where: { id: userId }, data: { totpSecret: secret, totpLastStep: null } });
  const uri = generateURI({ issuer: 'Sluice', label: user.email, secret });
  return { secret, uri, qr: await QRCode.toDataURL(uri, { margin: 1, width: 200 }) };
}

/** The RFC 6238 time step a code matches (one 30-second step either way for clocks that drift), or null. */
async function matchingStep(secret: string, code: string): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  try {
    const result = await verify({ secret, token: code, epochTolerance: 30 });
    return result.valid && 'timeStep' in result && Number.isSafeInteger(result.timeStep) ? result.timeStep : null;
  } catch {
    return null;
  }
}

/**
 * Accepts a TOTP code for this user only if its time step is later than the last one accepted, and
 * records it, in one conditional UPDATE: a code (or an older one) never works twice, and of two
 * requests with the same code at the same moment exactly one wins (RFC 6238 §5.2). `secret`, when
 * given, must still be the account's secret (it was read before, and may have changed meanwhile).
 */
async function acceptCode(prisma: PrismaClient, userId: string, secret: string, code: string, extra: { pending?: boolean } = {}): Promise<boolean> {
  const step = await matchingStep(secret, code);
  if (step === null) return false;
  const accepted = await prisma.$executeRaw`
    UPDATE "users" SET "totp_last_step" = ${step}::integer
    WHERE "id" = ${userId}::uuid AND "totp_secret" = ${secret} AND ("totp_enabled_at" IS NULL) = ${extra.pending === true}::boolean
      AND ("totp_last_step" IS NULL OR "totp_last_step" < ${step}::integer)`;
  return accepted === 1;
}

/** Confirms setup with a code from the app: 2FA is on; returns the recovery codes (shown once). */
export async function confirmTwoFactor(prisma: PrismaClient, userId: string, code: unknown): Promise<{ recoveryCodes: string[] }> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { totpSecret: true, totpEnabledAt: true } });
  if (!user?.totpSecret || user.totpEnabledAt) throw new AppError('two_factor_not_pending', 'Start two-factor setup first.', 409);
  const secret = user.totpSecret;
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await prisma.$transaction(async (tx) => {
    // The code's step is recorded with 2FA turning on, so the setup code cannot sign in afterwards;
    // of two confirmations at once, one turns 2FA on and issues the recovery codes.
    if (!(await acceptCode(tx as unknown as PrismaClient, userId, secret, String(code ?? '').trim(), { pending: true }))) {
      const now = await tx.user.findUnique({ where: { id: userId }, select: { totpSecret: true, totpEnabledAt: true } });
      if (now?.totpSecret !== secret || now.totpEnabledAt) throw new AppError('two_factor_not_pending', 'Start two-factor setup first.', 409);
      throw new AppError('invalid_code', 'That code is not right. Check the time on your device and try the next code.', 400, { field: 'code' });
    }
    await tx.user.update({ where: { id: userId }, data: { totpEnabledAt: new Date() } });
    await revokeAccountTokens(tx as unknown as PrismaClient, userId, 'recovery_code');
    for (const c of recoveryCodes) {
      await issueAccountToken(tx as unknown as PrismaClient, { userId, purpose: 'recovery_code', ttlMs: CENTURY_MS, token: normaliseRecoveryCode(c) });
    }
  });
  return { recoveryCodes };
}

/**
 * Turns 2FA off. With 2FA on it takes the password and a second factor (a current code or an unused
 * recovery code): a phished password and a stolen session must not be enough to remove the factor
 * that protects the account. Both count under the account's confirmation limit, shared with the
 * other "confirm with your password" actions (lib/accounts/password-confirmation.ts). The recovery
 * codes stop working. A setup not yet confirmed is cancelled with the password alone.
 */
export async function disableTwoFactor(deps: { prisma: PrismaClient; engines: Engines }, userId: string, password: unknown, code?: unknown): Promise<void> {
  const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { id: true, passwordHash: true, totpSecret: true, totpEnabledAt: true } });
  if (!user) throw new AppError('unauthenticated', 'Your session ended. Sign in again.', 401);
  const typed = typeof password === 'string' ? password.slice(0, PASSWORD_MAX_LENGTH * 4) : '';
  await confirmIdentity(deps.engines, userId, async () => {
    if (!(await verifyPassword(user.passwordHash, typed))) return new AppError('wrong_password', 'Your password is not right.', 400, { field: 'password' });
    return secondFactorRefusal(deps.prisma, user, code);
  });
  await deps.prisma.user.update({ where: { id: userId }, data: { totpSecret: null, totpEnabledAt: null } });
  await revokeAccountTokens(deps.prisma, userId, 'recovery_code');
}

/**
 * An operator turns 2FA off for someone who lost both the device and the recovery codes (after
 * checking who they are some other way): the key and the recovery codes are gone. Returns whether
 * it was on (or being set up).
 */
export async function resetTwoFactor(prisma: PrismaClient, userId: string): Promise<boolean> {
  const cleared = await prisma.user.updateMany({ where: { id: userId, totpSecret: { not: null } }, data: { totpSecret: null, totpEnabledAt: null } });
  await revokeAccountTokens(prisma, userId, 'recovery_code');
  return cleared.count === 1;
}

/**
 * For an action that confirms who is asking (turning 2FA off, deleting the account): null when 2FA
 * is off or `code` is a second factor that checkSecondFactor takes (and uses up), else the error to
 * answer with.
 */
export async function secondFactorRefusal(
  prisma: PrismaClient,
  user: { id: string; totpSecret: string | null; totpEnabledAt: Date | null },
  code: unknown,
): Promise<AppError | null> {
  if (!user.totpEnabledAt) return null;
  const typed = typeof code === 'string' ? code.slice(0, 40) : '';
  if (typed.trim() && (await checkSecondFactor(prisma, user, typed))) return null;
  return new AppError('invalid_code', 'Enter a current code from your authenticator app, or an unused recovery code.', 400, { field: 'code' });
}

/**
 * The second factor of a user with 2FA on: a current TOTP code not used before (its time step is
 * recorded), or an unused recovery code (used up now).
 */
export async function checkSecondFactor(prisma: PrismaClient, user: { id: string; totpSecret: string | null }, code: string): Promise<boolean> {
  const trimmed = code.trim();
  if (user.totpSecret && /^\d{6}$/.test(trimmed)) return acceptCode(prisma, user.id, user.totpSecret, trimmed);
  const recovery = normaliseRecoveryCode(trimmed);
  if (recovery.length !== 10) return false;
  return (await consumeAccountToken(prisma, 'recovery_code', recovery, user.id)) === user.id;
}
