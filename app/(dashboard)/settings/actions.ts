'use server';
// Settings actions: password change, per-device sign-out and sign out everywhere (each makes the
// ended sessions fail at once on this node, sessionChecks, and within 2 s on others), two-factor
// sign-in, and account deletion.
import { z } from 'zod';
import { authedAction } from '@/app/_lib/action';
import { sessionChecks } from '@/app/_lib/auth';
import { requestAuditContext } from '@/app/_lib/audit-context';
import { cancelAccountDeletion, scheduleAccountDeletion } from '@/lib/accounts/account-deletion';
import { accountMailDeps } from '@/lib/accounts/account-mail';
import { recordAudit } from '@/lib/accounts/audit';
import { resendVerification } from '@/lib/accounts/email-verification';
import { changePassword } from '@/lib/accounts/password-reset';
import { endAllSessions } from '@/lib/accounts/session-version';
import { endSession } from '@/lib/accounts/sessions';
import { confirmTwoFactor, disableTwoFactor, startTwoFactorSetup } from '@/lib/accounts/two-factor';

export const changePasswordAction = authedAction(
  z.object({ currentPassword: z.string().max(1024), newPassword: z.string().max(1024) }),
  async ({ currentPassword, newPassword }, { user, runtime }) => {
    const result = await changePassword(accountMailDeps(runtime), { userId: user.id, sessionId: user.sessionId, currentPassword, newPassword });
    sessionChecks.forgetUser(user.id);
    await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(user.id)), action: 'password_changed', subjectUserId: user.id, details: { endedSessions: result.endedSessions } }, runtime.logger);
    runtime.logger.info({ userId: user.id, endedSessions: result.endedSessions }, 'password changed');
    return result;
  },
);

export const endSessionAction = authedAction(z.object({ id: z.uuid() }), async ({ id }, { user, runtime }) => {
  const ended = await endSession(runtime.db.prisma, user.id, id);
  sessionChecks.forgetSession(id);
  runtime.logger.info({ userId: user.id, sessionId: id, ended }, 'device signed out');
  return { ended, self: id === user.sessionId };
});

export const signOutEverywhereAction = authedAction(z.object({}), async (_input, { user, runtime }) => {
  await endAllSessions(runtime.db.prisma, user.id);
  sessionChecks.forgetUser(user.id);
  await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(user.id)), action: 'sign_out_everywhere', subjectUserId: user.id }, runtime.logger);
  runtime.logger.info({ userId: user.id }, 'signed out everywhere');
  return { ok: true };
});

/** The dashboard's "resend" on the verify-your-email notice. */
export const resendVerificationAction = authedAction(z.object({}), async (_input, { user, runtime }) => {
  return resendVerification(accountMailDeps(runtime), user.id);
});

export const startTwoFactorAction = authedAction(z.object({}), async (_input, { user, runtime }) => {
  const { secret, qr } = await startTwoFactorSetup(runtime.db.prisma, user.id);
  return { secret, qr };
});

export const confirmTwoFactorAction = authedAction(z.object({ code: z.string().max(20) }), async ({ code }, { user, runtime }) => {
  const result = await confirmTwoFactor(runtime.db.prisma, user.id, code);
  await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(user.id)), action: 'two_factor_enabled', subjectUserId: user.id }, runtime.logger);
  runtime.logger.info({ userId: user.id }, 'two-factor sign-in turned on');
  return result;
});

export const disableTwoFactorAction = authedAction(z.object({ password: z.string().max(1024), code: z.string().max(40).optional() }), async ({ password, code }, { user, runtime }) => {
  await disableTwoFactor({ prisma: runtime.db.prisma, engines: runtime.engines }, user.id, password, code);
  await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(user.id)), action: 'two_factor_disabled', subjectUserId: user.id }, runtime.logger);
  runtime.logger.info({ userId: user.id }, 'two-factor sign-in turned off');
  return { ok: true };
});

/** Schedules the deletion of the account after the cooling-off period (lib/accounts/account-deletion.ts). */
export const scheduleDeletionAction = authedAction(
  z.object({ password: z.string().max(1024), code: z.string().max(40).optional() }),
  async ({ password, code }, { user, runtime }) => {
    const scheduled = await scheduleAccountDeletion(accountMailDeps(runtime), {
      userId: user.id,
      password,
      code,
      coolingOffDays: runtime.config.ACCOUNT_DELETION_COOLING_OFF_DAYS,
      audit: await requestAuditContext(user.id),
    });
    runtime.logger.info({ userId: user.id, dueAt: scheduled.dueAt.toISOString() }, 'account deletion scheduled');
    return { dueAt: scheduled.dueAt.toISOString() };
  },
);

export const cancelDeletionAction = authedAction(z.object({}), async (_input, { user, runtime }) => {
  const { cancelled } = await cancelAccountDeletion(accountMailDeps(runtime), user.id, await requestAuditContext(user.id));
  runtime.logger.info({ userId: user.id, cancelled }, 'account deletion cancelled');
  return { cancelled };
});
