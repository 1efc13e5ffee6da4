// Password change (signed in, current password required: every other device is signed out) and
// password reset ("forgot password": a single-use link valid for an hour, only its SHA-256 stored;
// setting the new password signs out every device). Both mail a notice to the owner.
//
// No account enumeration: requestPasswordReset answers the same, in the same time, whether or not
// the address has an account — it validates the input and returns; the lookup, the token and the
// mail happen afterwards in the background.
import type { Engines } from '../engines';
import { AppError } from '../errors';
import { sendInBackground } from '../mail/get-mailer';
import { passwordChangedMail, resetMail, type AccountMailDeps } from './account-mail';
import { issueAccountToken, peekAccountToken, revokeAccountTokens, TOKEN_TTL_MS } from './account-tokens';
import { hashPassword, verifyPassword } from './password';
import { confirmIdentity } from './password-confirmation';
import { endOtherSessions } from './sessions';
import { emailSchema, passwordProblem, PASSWORD_MAX_LENGTH } from './validation';

/** Reset requests per address (email) per hour: enough for a lost first mail, not for mail-bombing. */
const RESET_PER_EMAIL = { name: 'reset:email', points: 5, durationSeconds: 3600 };
/** Reset requests per client IP per hour. */
const RESET_PER_IP = { name: 'reset:ip', points: 30, durationSeconds: 3600 };

export interface ResetRequestAnswer {
  message: string;
}
export const RESET_REQUEST_MESSAGE =
  'If an account uses this address, we sent it a link to reset the password. It works once, for 1 hour. Check your spam folder too.';

/**
 * "Forgot password". Throws only for a malformed address (400) or too many requests from this IP
 * (429); both depend on the input, never on whether an account exists. Over the per-address limit
 * the answer is unchanged and no mail goes out.
 */
export async function requestPasswordReset(
  deps: AccountMailDeps & { engines: Engines },
  input: { email: unknown; ip?: string | null },
): Promise<{ answer: ResetRequestAnswer; delivery: Promise<void> }> {
  const parsed = emailSchema.safeParse(typeof input.email === 'string' ? input.email : '');
  if (!parsed.success) throw new AppError('invalid_input', 'Email: enter a valid email address.', 400, { field: 'email' });
  const email = parsed.data;
  const perIp = await deps.engines.rateLimiter(RESET_PER_IP).consume(input.ip ?? 'unknown');
  if (!perIp.allowed) throw new AppError('rate_limited', 'Too many reset requests from your network. Try again later.', 429);
  const perEmail = await deps.engines.rateLimiter(RESET_PER_EMAIL).consume(email);
  const delivery = perEmail.allowed
    ? mailResetLink(deps, email).catch((err: unknown) => deps.mail.logger.error({ err, module: 'accounts' }, 'password reset mail failed'))
    : Promise.resolve();
  return { answer: { message: RESET_REQUEST_MESSAGE }, delivery };
}

async function mailResetLink(deps: AccountMailDeps, email: string): Promise<void> {
  const user = await deps.prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
  if (!user) return; // nobody to mail; the answer was already the same
  await revokeAccountTokens(deps.prisma, user.id, 'reset_password'); // the newest link is the only one that works
  const token = await issueAccountToken(deps.prisma, { userId: user.id, purpose: 'reset_password', ttlMs: TOKEN_TTL_MS.reset_password });
  await sendInBackground(deps.mail, resetMail(user.email, `${deps.baseUrl}/reset-password?token=${token}`));
}

const invalidLink = () =>
  new AppError('invalid_token', 'This reset link is invalid, was already used or has expired. Ask for a new one.', 400, { field: 'token' });

/** Whether a reset link still works (the page says so before the user types a new password). */
export async function isResetTokenUsable(deps: Pick<AccountMailDeps, 'prisma'>, token: unknown): Promise<boolean> {
  return (await peekAccountToken(deps.prisma, 'reset_password', token)) !== null;
}

function checkNewPassword(password: unknown, email: string): string {
  if (typeof password !== 'string' || password.length > PASSWORD_MAX_LENGTH * 4) {
    throw new AppError('weak_password', 'Password too weak: use at most 256 characters.', 400, { field: 'password' });
  }
  const problem = passwordProblem(password, email);
  if (problem) throw new AppError('weak_password', `Password too weak: ${problem}.`, 400, { field: 'password' });
  return password;
}

/**
 * Sets a new password from a reset link. The link is used (single use) in the same transaction that
 * sets the password, bumps the session version and deletes every session record, so it cannot work
 * twice and every device is signed out. Following the link also proves the address: it is verified.
 */
export async function resetPassword(deps: AccountMailDeps, input: { token: unknown; password: unknown }): Promise<{ userId: string; email: string }> {
  const found = await peekAccountToken(deps.prisma, 'reset_password', input.token);
  if (!found) throw invalidLink();
  const user = await deps.prisma.user.findUnique({ where: { id: found.userId }, select: { id: true, email: true, emailVerifiedAt: true } });
  if (!user) throw invalidLink();
  const passwordHash = await hashPassword(checkNewPassword(input.password, user.email));
  await deps.prisma.$transaction(async (tx) => {
    const used = await tx.accountToken.updateMany({
      where: { id: found.id, usedAt: null, expiresAt: { gt: new Date() } },
      data: { usedAt: new Date() },
    });
    if (used.count !== 1) throw invalidLink(); // used or expired meanwhile
    await tx.user.update({
      where: { id: user.id },
      data: { passwordHash, sessionVersion: { increment: 1 }, emailVerifiedAt: user.emailVerifiedAt ?? new Date() },
    });
    await tx.userSession.deleteMany({ where: { userId: user.id } });
  });
  void sendInBackground(deps.mail, passwordChangedMail(user.email, deps.baseUrl, 'reset'));
  return { userId: user.id, email: user.email };
}

/**
 * Changes the password of a signed-in user: the current one is required (under the account's
 * confirmation limit, lib/accounts/password-confirmation.ts), the new one must pass the password
 * policy; every other session ends (this one stays), and the owner gets a notice.
 */
export async function changePassword(
  deps: AccountMailDeps & { engines: Engines },
  input: { userId: string; sessionId: string | null; currentPassword: unknown; newPassword: unknown },
): Promise<{ endedSessions: number }> {
  const user = await deps.prisma.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true, passwordHash: true } });
  if (!user) throw new AppError('unauthenticated', 'Your session ended. Sign in again.', 401);
  const current = typeof input.currentPassword === 'string' ? input.currentPassword.slice(0, PASSWORD_MAX_LENGTH * 4) : '';
  await confirmIdentity(deps.engines, user.id, async () =>
    (await verifyPassword(user.passwordHash, current)) ? null : new AppError('wrong_password', 'Your current password is not right.', 400, { field: 'currentPassword' }),
  );
  const next = checkNewPassword(input.newPassword, user.email);
  if (next === current) throw new AppError('weak_password', 'Choose a password different from the current one.', 400, { field: 'password' });
  const passwordHash = await hashPassword(next);
  const endedSessions = await deps.prisma.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
    // Other devices end by losing their records; this device's record (and the version) stay.
    return endOtherSessions(tx as unknown as Parameters<typeof endOtherSessions>[0], user.id, input.sessionId);
  });
  void sendInBackground(deps.mail, passwordChangedMail(user.email, deps.baseUrl, 'changed'));
  return { endedSessions };
}
