// Email verification: the link mailed at sign-up (or again from the dashboard) marks the address
// verified. Until then the reporter's public sightings are held (lib/trust/policy.ts isEstablished)
// and Stripe checkout is refused (lib/billing/toggle-firehose.ts).
import type { Engines } from '../engines';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { AccountMailDeps } from './account-mail';
import { consumeAccountToken } from './account-tokens';
import { sendVerificationEmail } from './sign-up';

/** Uses a verification link: the verified user's email, or null when the link is invalid, used or expired. */
export async function verifyEmail(prisma: PrismaClient, token: unknown): Promise<{ email: string; userId: string } | null> {
  const userId = await consumeAccountToken(prisma, 'verify_email', token);
  if (!userId) return null;
  const rows = await prisma.user.updateManyAndReturn({
    where: { id: userId },
    data: { emailVerifiedAt: new Date() },
    select: { email: true, id: true },
  });
  // Already verified before (updateMany also sets it again: harmless, the first time is what counts).
  return rows[0] ? { email: rows[0].email, userId: rows[0].id } : null;
}

export async function isEmailVerified(prisma: PrismaClient, userId: string): Promise<boolean> {
  const row = await prisma.user.findUnique({ where: { id: userId }, select: { emailVerifiedAt: true } });
  return Boolean(row?.emailVerifiedAt);
}

/** Throws 403 email_unverified unless the user's address is verified. */
export async function requireVerifiedEmail(prisma: PrismaClient, userId: string, what: string): Promise<void> {
  if (!(await isEmailVerified(prisma, userId))) {
    throw new AppError('email_unverified', `Confirm your email address before ${what}: follow the link we mailed you, or send a new one from the dashboard.`, 403);
  }
}

/** Resends the verification link (at most 5 per hour per account); nothing when already verified. */
export async function resendVerification(deps: AccountMailDeps & { engines: Engines }, userId: string): Promise<{ sent: boolean }> {
  const user = await deps.prisma.user.findUnique({ where: { id: userId }, select: { id: true, email: true, emailVerifiedAt: true } });
  if (!user || user.emailVerifiedAt) return { sent: false };
  const limit = await deps.engines.rateLimiter({ name: 'verify:resend', points: 5, durationSeconds: 3600 }).consume(userId);
  if (!limit.allowed) throw new AppError('rate_limited', 'Too many verification emails for now. Try again later.', 429);
  await sendVerificationEmail(deps, user);
  return { sent: true };
}
