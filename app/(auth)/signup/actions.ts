'use server';
// Sign-up as a server action (Next checks its Origin); the form then signs in through next-auth.
// The answer is the same whether or not the address already has an account (lib/accounts/sign-up.ts).
import { headers } from 'next/headers';
import { failure, type ActionResult } from '@/app/_lib/action';
import { clientIp } from '@/app/_lib/auth';
import { accountMailDeps } from '@/lib/accounts/account-mail';
import { signUp } from '@/lib/accounts/sign-up';
import { AppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

/** Sign-ups per client IP per hour: enough for an office, not for a script. */
const SIGN_UP_LIMIT = { name: 'signup:ip', points: 20, durationSeconds: 3600 };

export async function signUpAction(input: { email: string; password: string; name?: string }): Promise<ActionResult<{ email: string }>> {
  const runtime = getRuntime();
  try {
    const limit = await runtime.engines.rateLimiter(SIGN_UP_LIMIT).consume(clientIp(await headers()) ?? 'unknown');
    if (!limit.allowed) throw new AppError('rate_limited', 'Too many sign-ups from your network. Try again later.', 429);
    const { answer } = await signUp(accountMailDeps(runtime), {
      email: String(input?.email ?? ''),
      password: String(input?.password ?? ''),
      name: input?.name ? String(input.name) : undefined,
    });
    return { ok: true, data: answer };
  } catch (error) {
    return failure(error, runtime);
  }
}
