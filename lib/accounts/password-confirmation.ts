// "Confirm it's you": the actions a signed-in user confirms by typing the password again — change the
// password, turn two-factor sign-in off, schedule the account's deletion (with a two-factor or
// recovery code when 2FA is on) — share one limit per account: CONFIRMATION_ATTEMPTS.points wrong
// attempts per window. Once they are used up, every attempt is refused with rate_limited (and when to
// retry) until the window passes, the right password too, and nothing is verified: a stolen session
// cannot keep guessing, nor learn from a success that a guess was right.
//
// Only wrong attempts count. Each attempt reserves a point before anything is verified (so a burst of
// parallel guesses cannot all slip in before the first failure is counted) and gives it back unless it
// turned out wrong.
import type { Engines } from '../engines';
import { AppError } from '../errors';

/** Wrong passwords (or second-factor codes) per account per hour, over every confirming action. */
export const CONFIRMATION_ATTEMPTS = { name: 'password-confirmation:user', points: 10, durationSeconds: 3600 } as const;

function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

export function tooManyConfirmations(retryAfterMs: number): AppError {
  const retryAfterSeconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError(
    'rate_limited',
    `Too many wrong attempts. Try again in ${waitText(retryAfterSeconds)}, or reset your password by email.`,
    429,
    { retryAfterSeconds },
  );
}

/**
 * Runs `verify` under the account's confirmation limit. `verify` answers null when the user proved it
 * is them, or the error to throw for a wrong password or code (counted). Throws rate_limited, without
 * calling `verify`, while the account is over the limit. An exception from `verify` is not counted.
 */
export async function confirmIdentity(engines: Engines, userId: string, verify: () => Promise<AppError | null>): Promise<void> {
  const limiter = engines.rateLimiter(CONFIRMATION_ATTEMPTS);
  const reserved = await limiter.consume(userId);
  if (!reserved.allowed) throw tooManyConfirmations(reserved.retryAfterMs);
  const started = Date.now();
  // Only within the window the point was taken from: a reward after it ended would credit the next one.
  const giveBack = async () => {
    if (Date.now() - started < (reserved.resetMs ?? 0)) await limiter.reward(userId);
  };
  let wrong: AppError | null;
  try {
    wrong = await verify();
  } catch (error) {
    await giveBack();
    throw error;
  }
  if (wrong) throw wrong;
  await giveBack();
}
