'use server';
// Server actions of the admin page's trust section: the same operator commands as `sluice admin`
// (lib/trust/admin.ts), for signed-in admins only. The outcome is shown once through a cookie.
import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { isAppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { runTrustAdminCommand, trustAdminCommandSchemas } from '@/lib/trust/admin';
import { parseWarningListText } from '@/lib/trust/custom-lists';
import { checkAdmin } from './require-admin';
import { TRUST_FLASH_COOKIE } from './trust-flash';

async function run(input: Record<string, unknown>) {
  const admin = await checkAdmin();
  let message: string;
  if (!admin.ok) message = 'Operators only.';
  else if (input.type === 'flash') message = String(input.message);
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

export async function addWarningListAction(form: FormData) {
  // The entries: a MISP JSON list or one per line, pasted or uploaded (lib/trust/custom-lists.ts).
  const file = form.get('file');
  const uploaded = file instanceof File && file.size > 0 ? (file.size > 1024 * 1024 ? null : await file.text()) : '';
  if (uploaded === null) return run({ type: 'flash', message: 'That file is larger than 1 MB (what the page accepts): add it with `sluice admin warninglist add`.' });
  let list: ReturnType<typeof parseWarningListText>;
  try {
    list = parseWarningListText(uploaded || text(form, 'entries'));
  } catch (error) {
    return run({ type: 'flash', message: isAppError(error) ? error.message : 'That list could not be read.' });
  }
  const type = text(form, 'listType') || list.type;
  await run({
    type: 'warninglist',
    action: 'add',
    list: { id: text(form, 'id'), name: text(form, 'name') || list.name, type, entries: list.entries, ...(list.matchingAttributes ? { matchingAttributes: list.matchingAttributes } : {}) },
  });
}

export async function removeWarningListAction(form: FormData) {
  await run({ type: 'warninglist', action: 'remove', name: text(form, 'name') });
}

export async function retractReporterAction(form: FormData) {
  await run({ type: 'user.retract', email: text(form, 'email'), reason: text(form, 'reason') });
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
