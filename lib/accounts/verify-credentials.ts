// Sign-in: email + password (+ a TOTP or recovery code when two-factor sign-in is on) → the user. Failed attempts slow down the address, the (address,
// account) pair and, much later and only by seconds, the account (lib/accounts/sign-in-throttle.ts);
// an address that signed in to the account before is not slowed by other people's failures on it.
import type { Engines } from '../engines';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { Logger } from '../logger';
import type { PlanId } from '../plans';
import { recordAudit } from './audit';
import { getDummyHash, verifyPassword } from './password';
import { isKnownSignInAddress, rememberSignInAddress } from './sign-in-addresses';
import { signInThrottle, type SignInBackoff, type SignInScope } from './sign-in-throttle';
import { checkSecondFactor } from './two-factor';
import { TWO_FACTOR_REQUIRED_MESSAGE, WRONG_CODE_MESSAGE } from './two-factor-messages';
import { signInSchema } from './validation';

export interface SignedInUser {
  id: string;
  email: string;
  name: string | null;
  plan: PlanId;
  isAdmin: boolean;
  /** Carried in the session; a session whose version is behind the user's has ended. */
  sessionVersion: number;
}

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

function tooMany(scope: SignInScope, retryAfterSeconds: number): AppError {
  const message =
    scope === 'account'
      ? `Too many failed sign-ins on this account from other places. Try again in ${waitText(retryAfterSeconds)}, or from a device you signed in with before.`
      : `Too many failed sign-ins from your network. Try again in ${waitText(retryAfterSeconds)}.`;
  return new AppError('rate_limited', message, 429, { retryAfterSeconds, scope });
}

/**
 * Verifies credentials. Throws AppError `invalid_credentials` (401, the same for an unknown email and
 * a wrong password) or `rate_limited` (429, with `details.retryAfterSeconds`). A success forgets this
 * address's failures on the account and remembers the address for the account.
 */
export async function verifyCredentials(
  deps: { prisma: PrismaClient; engines: Engines; backoff?: SignInBackoff; logger?: Pick<Logger, 'warn'> },
  input: { email: unknown; password: unknown; ip?: string | null; code?: unknown; userAgent?: string | null },
): Promise<SignedInUser> {
  const parsed = signInSchema.safeParse(input);
  if (!parsed.success) throw new AppError('invalid_credentials', 'Wrong email or password.', 401);
  const { email, password } = parsed.data;

  const user = await deps.prisma.user.findUnique({
    where: { email },
    select: { id: true, email: true, name: true, plan: true, isAdmin: true, passwordHash: true, sessionVersion: true, totpSecret: true, totpEnabledAt: true, suspendedAt: true },
  });
  // Failed sign-ins are recorded for known accounts only, and not awaited: the answer's time must not
  // depend on whether the account exists (nor on the audit write).
  const audit = (action: 'sign_in_failed' | 'sign_in', details: Record<string, unknown>) =>
    user ? recordAudit(deps.prisma, { action, subjectUserId: user.id, actorUserId: user.id, ip: input.ip, userAgent: input.userAgent, source: 'web', details }, deps.logger) : Promise.resolve();
  // Looked up for unknown emails too (and counted per email), so neither reveals whether an account exists.
  const knownAddress = await isKnownSignInAddress(deps.prisma, user?.id ?? null, input.ip);
  const throttle = signInThrottle(deps.engines, { address: input.ip, email }, deps.backoff);
  const verdict = await throttle.check({ knownAddress });
  if (!verdict.allowed) {
    void audit('sign_in_failed', { reason: 'too many failed sign-ins' });
    throw tooMany(verdict.scope, verdict.retryAfterSeconds);
  }

  // Verify against a dummy hash for unknown emails so response time does not reveal accounts.
  const ok = await verifyPassword(user?.passwordHash ?? (await getDummyHash()), password);
  if (!user || !ok) {
    const wait = await throttle.failed();
    void audit('sign_in_failed', { reason: 'wrong password' });
    throw new AppError('invalid_credentials', 'Wrong email or password.', 401, wait > 0 ? { retryAfterSeconds: wait } : undefined);
  }
  if (user.totpEnabledAt) {
    // Two-factor sign-in: the password was right; a code (or a recovery code) must follow. A wrong
    // code counts as a failed sign-in like a wrong password.
    const code = typeof input.code === 'string' ? input.code.slice(0, 64).trim() : '';
    if (!code) throw new AppError('two_factor_required', TWO_FACTOR_REQUIRED_MESSAGE, 401);
    if (!(await checkSecondFactor(deps.prisma, user, code))) {
      const wait = await throttle.failed();
      void audit('sign_in_failed', { reason: 'wrong two-factor code' });
      throw new AppError('invalid_code', WRONG_CODE_MESSAGE, 401, wait > 0 ? { retryAfterSeconds: wait } : undefined);
    }
  }
  // Only someone who knows the password (and the code) learns that the account is suspended.
  if (user.suspendedAt) {
    void audit('sign_in_failed', { reason: 'account suspended' });
    throw new AppError('account_suspended', 'This account is suspended. Contact the operators of this Sluice instance.', 403);
  }
  await Promise.all([
    throttle.succeeded(),
    rememberSignInAddress(deps.prisma, user.id, input.ip),
    deps.prisma.user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } }),
    audit('sign_in', user.totpEnabledAt ? { twoFactor: true } : {}),
  ]);
  return { id: user.id, email: user.email, name: user.name, plan: user.plan, isAdmin: user.isAdmin, sessionVersion: user.sessionVersion };
}
