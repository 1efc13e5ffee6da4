'use server';
// Server actions of the admin page's trust section: the same operator commands as `sluice admin`
// (lib/trust/admin.ts), for signed-in admins only. The outcome is shown once through a cookie.
import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { isAppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { runTrustAdminCommand, trustAdminCommandSchemas } from '@/lib/trust/admin';
import { checkAdmin } from './require-admin';
import { TRUST_FLASH_COOKIE } from './trust-flash';

async function run(input: Record<string, unknown>) {
  const admin = await checkAdmin();
  let message: string;
  if (!admin.ok) message = 'Operators only.';
  else {
    const schema = trustAdminCommandSchemas.find((s) => s.shape.type.value === input.type);
    const parsed = schema?.safeParse(input);
    if (!parsed?.success) message = `Invalid input: ${parsed?.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ') ?? 'unknown command'}`;
    else {
      try {
        message = (await runTrustAdminCommand({ prisma: getRuntime().db.prisma }, parsed.data as never)).lines.join(' ');
      } catch (error) {
        message = isAppError(error) ? error.message : 'The command failed; see the server log.';
        if (!isAppError(error)) getRuntime().logger.error({ err: error }, 'admin trust action failed');
      }
    }
  }
  (await cookies()).set(TRUST_FLASH_COOKIE, message.slice(0, 500), { path: '/admin', maxAge: 60, httpOnly: true, sameSite: 'strict' });
  revalidatePath('/admin');
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '').trim();

export async function setWarningListAction(form: FormData) {
  await run({ type: 'warninglist', action: text(form, 'action'), ...(text(form, 'name') ? { name: text(form, 'name') } : {}) });
}

export async function setUserTrustAction(form: FormData) {
  await run({ type: 'user.trust', email: text(form, 'email'), level: text(form, 'level') });
}

export async function retractAction(form: FormData) {
  await run({ type: 'indicator.retract', indicatorType: text(form, 'indicatorType'), value: text(form, 'value'), reason: text(form, 'reason') });
}

export async function resolveDisputeAction(form: FormData) {
  await run({ type: 'dispute', action: text(form, 'action'), id: text(form, 'id') });
}
