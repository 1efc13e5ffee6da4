'use server';
// "Forgot password": the same answer whether or not the address has an account; the mail goes out
// in the background (lib/accounts/password-reset.ts).
import { headers } from 'next/headers';
import { failure, type ActionResult } from '@/app/_lib/action';
import { clientIp } from '@/app/_lib/auth';
import { requestAuditContext } from '@/app/_lib/audit-context';
import { accountMailDeps } from '@/lib/accounts/account-mail';
import { recordAudit } from '@/lib/accounts/audit';
import { requestPasswordReset, resetPassword } from '@/lib/accounts/password-reset';
import { getRuntime } from '@/lib/runtime';
import { sessionChecks } from '@/app/_lib/auth';

export async function requestResetAction(input: { email: string }): Promise<ActionResult<{ message: string }>> {
  const runtime = getRuntime();
  try {
    const { answer } = await requestPasswordReset(accountMailDeps(runtime), { email: input?.email, ip: clientIp(await headers()) });
    return { ok: true, data: answer };
  } catch (error) {
    return failure(error, runtime);
  }
}

export async function resetPasswordAction(input: { token: string; password: string }): Promise<ActionResult<{ email: string }>> {
  const runtime = getRuntime();
  try {
    const { userId, email } = await resetPassword(accountMailDeps(runtime), { token: input?.token, password: input?.password });
    sessionChecks.forgetUser(userId);
    await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(null)), action: 'password_reset', subjectUserId: userId }, runtime.logger);
    runtime.logger.info({ userId }, 'password reset; every session ended');
    return { ok: true, data: { email } };
  } catch (error) {
    return failure(error, runtime);
  }
}
