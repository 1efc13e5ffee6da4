'use server';
// Server actions of /admin/users/[id]: change plan, suspend/unsuspend, revoke a token, end all
// sessions. Each checks the operator on the server (checkAdmin), needs the confirmation box ticked,
// is recorded in the audit log with the operator as actor, and reports through a short-lived cookie.
import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { requestAuditContext } from '@/app/_lib/audit-context';
import { sessionChecks } from '@/app/_lib/auth';
import { adminRevokeToken, adminSetPlan } from '@/lib/accounts/admin-users';
import { isUuid } from '@/lib/accounts/sessions';
import { endUserSessions, suspendUser, unsuspendUser } from '@/lib/accounts/suspension';
import { isAppError } from '@/lib/errors';
import { PLAN_IDS, type PlanId } from '@/lib/plans';
import { getRuntime } from '@/lib/runtime';
import { checkAdmin } from '../require-admin';
import { USERS_FLASH_COOKIE } from './flash';

const text = (form: FormData, key: string, max = 500) => String(form.get(key) ?? '').trim().slice(0, max);

async function flash(message: string, userId: string | null) {
  (await cookies()).set(USERS_FLASH_COOKIE, message.slice(0, 500), { path: '/admin', maxAge: 60, httpOnly: true, sameSite: 'strict' });
  if (userId) revalidatePath(`/admin/users/${userId}`);
}

/** Runs one operator action on the user named by the form; every refusal is a flash message, never a throw. */
async function operate(form: FormData, run: (userId: string, ctx: Awaited<ReturnType<typeof requestAuditContext>>) => Promise<string>) {
  const userId = text(form, 'userId', 64);
  const admin = await checkAdmin();
  if (!admin.ok) {
    // No flash for strangers: nothing about the account is revealed, nothing is done.
    redirect(admin.status === 401 ? '/login?callbackUrl=%2Fadmin%2Fusers' : '/admin');
  }
  if (!isUuid(userId)) return flash('No such user.', null);
  if (form.get('confirm') !== 'yes') return flash('Nothing done: tick the confirmation box first.', userId);
  try {
    await flash(await run(userId, await requestAuditContext(admin.user.id)), userId);
  } catch (error) {
    if (!isAppError(error)) getRuntime().logger.error({ err: error }, 'admin user action failed');
    await flash(isAppError(error) ? error.message : 'The action failed; see the server log.', userId);
  }
}

const deps = () => {
  const runtime = getRuntime();
  return { prisma: runtime.db.prisma, engines: runtime.engines };
};

export async function setPlanAction(form: FormData) {
  await operate(form, async (userId, ctx) => {
    const plan = text(form, 'plan', 20);
    if (!PLAN_IDS.includes(plan as PlanId)) return 'Unknown plan.';
    const { previous } = await adminSetPlan(deps(), { userId, plan: plan as PlanId }, ctx);
    return previous === plan ? `Already on the ${plan} plan.` : `Plan changed: ${previous} → ${plan}.`;
  });
}

export async function suspendAction(form: FormData) {
  await operate(form, async (userId, ctx) => {
    if (userId === ctx.actorUserId) return 'You cannot suspend your own account.';
    const { changed, email } = await suspendUser(deps(), { userId, reason: text(form, 'reason') }, ctx);
    sessionChecks.forgetUser(userId);
    return changed ? `Suspended ${email}: signed out everywhere, tokens refused, live streams ended.` : `${email} is already suspended.`;
  });
}

export async function unsuspendAction(form: FormData) {
  await operate(form, async (userId, ctx) => {
    const { changed, email } = await unsuspendUser(deps(), { userId }, ctx);
    return changed ? `Lifted the suspension of ${email}.` : `${email} is not suspended.`;
  });
}

export async function revokeTokenAction(form: FormData) {
  await operate(form, async (userId, ctx) => {
    const revoked = await adminRevokeToken(deps(), { userId, tokenId: text(form, 'tokenId', 64) }, ctx);
    return `Revoked token ${revoked.prefix}…; its live streams ended.`;
  });
}

export async function endSessionsAction(form: FormData) {
  await operate(form, async (userId, ctx) => {
    const { ended, email } = await endUserSessions(deps(), { userId }, ctx);
    sessionChecks.forgetUser(userId);
    return `Ended every session of ${email} (${ended} signed-in device${ended === 1 ? '' : 's'}).`;
  });
}
