// Web sign-up without account enumeration: the answer (body and status) is the same whether or not
// the address already has an account, and so is the work before it (the same password hash and one
// INSERT … ON CONFLICT DO NOTHING). What differs happens after the answer, in the background: a new
// account is mailed a verification link, an existing one a notice that someone tried to sign up.
// What little still differs (an insert costs a little more than an update) is hidden by answering no
// sooner than SIGN_UP_MIN_MS after the request began.
import { setTimeout as sleep } from 'node:timers/promises';
import { sendInBackground } from '../mail/get-mailer';
import { verificationMail, signUpAttemptMail, type AccountMailDeps } from './account-mail';
import { issueAccountToken, TOKEN_TTL_MS } from './account-tokens';
import { hashPassword } from './password';
import { parseSignUp, type SignUpInput } from './validation';

/** Sign-up answers no sooner than this (argon2id takes ~50–250 ms; the rest is padding). */
export const SIGN_UP_MIN_MS = 500;

export interface SignUpAnswer {
  /** The normalised address: the only thing the answer says. */
  email: string;
}

/** Signs up; throws AppError invalid_input / weak_password (400), which depend only on the input. */
export async function signUp(
  deps: AccountMailDeps,
  input: SignUpInput,
  options: { minMs?: number } = {},
): Promise<{ answer: SignUpAnswer; delivery: Promise<void> }> {
  const started = performance.now();
  const { email, password, name } = parseSignUp(input);
  const passwordHash = await hashPassword(password);
  // One statement that writes in both cases (a new row, or a new version of the existing one that
  // changes nothing), so both commits cost the same WAL flush: a conflict that wrote nothing would
  // answer measurably sooner than an insert.
  const rows = await deps.prisma.$queryRaw<Array<{ id: string; inserted: boolean }>>`
    INSERT INTO users (email, password_hash, name, email_verified_at)
    VALUES (${email}, ${passwordHash}, ${name || null}, NULL)
    ON CONFLICT (email) DO UPDATE SET updated_at = users.updated_at
    RETURNING id::text AS id, (xmax = 0) AS inserted`;
  const userId = rows[0]?.inserted ? rows[0].id : undefined;
  const delivery = (async () => {
    if (userId) await sendVerificationEmail(deps, { id: userId, email });
    else await sendInBackground(deps.mail, signUpAttemptMail(email, deps.baseUrl));
  })().catch((err: unknown) => deps.mail.logger.error({ err, module: 'accounts' }, 'sign-up mail failed'));
  const wait = started + (options.minMs ?? SIGN_UP_MIN_MS) - performance.now();
  if (wait > 0) await sleep(wait);
  return { answer: { email }, delivery };
}

/** Mails a fresh verification link (older ones keep working until they expire). */
export async function sendVerificationEmail(deps: AccountMailDeps, user: { id: string; email: string }): Promise<void> {
  const token = await issueAccountToken(deps.prisma, { userId: user.id, purpose: 'verify_email', ttlMs: TOKEN_TTL_MS.verify_email });
  await sendInBackground(deps.mail, verificationMail(user.email, `${deps.baseUrl}/verify-email?token=${token}`));
}
