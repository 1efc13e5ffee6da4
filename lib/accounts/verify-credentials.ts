// Sign-in: email + password → the user, rate limited per account and per client IP.
import type { Engines } from '../engines';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { PlanId } from '../plans';
import { getDummyHash, verifyPassword } from './password';
import { signInSchema } from './validation';

/** Attempts per account (any IP) and per IP (any account), each within the window. */
export const SIGN_IN_LIMITS = {
  account: { name: 'signin:account', points: 10, durationSeconds: 15 * 60 },
  ip: { name: 'signin:ip', points: 50, durationSeconds: 15 * 60 },
} as const;

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  plan: PlanId;
  isAdmin: boolean;
}

/**
 * Verifies credentials. Throws AppError `invalid_credentials` (401, the same for an unknown email
 * and a wrong password) or `rate_limited` (429). A success clears the account's counter.
 */
export async function verifyCredentials(
  deps: { prisma: PrismaClient; engines: Engines },
  input: { email: unknown; password: unknown; ip?: string | null },
): Promise<SignedInUser> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) throw new AppError('invalid_credentials', 'Wrong email or password.', 401);
  const { email, password } = parsed.data;

  const ipLimiter = deps.engines.rateLimiter(SIGN_IN_LIMITS.ip);
  const accountLimiter = deps.engines.rateLimiter(SIGN_IN_LIMITS.account);
  for (const [limiter, key] of [
    [ipLimiter, input.ip || 'unknown'],
    [accountLimiter, email],
  ] as const) {
    const result = await limiter.consume(key);
    if (!result.allowed) {
      const minutes = Math.max(1, Math.ceil(result.retryAfterMs / 60_000));
      throw new AppError('rate_limited', `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, 429, {
        retryAfterSeconds: Math.ceil(result.retryAfterMs / 1000),
      });
    }
  }

  const user = await deps.prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, plan: true, isAdmin: true, passwordHash: true },
  });
  // Verify against a dummy hash for unknown emails so response time does not reveal accounts.
  const ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password);
  if (!user || !ok) throw new AppError('invalid_credentials', 'Wrong email or password.', 401);
  await accountLimiter.reset(email);
  return { id: user.id, email: user.email, name: user.name, plan: user.plan, isAdmin: user.isAdmin };
}
