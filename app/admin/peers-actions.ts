'use server';
// Server actions of the admin page's Peers section: pause, resume and remove a link, the same
// operator commands as `sluice admin peer …` (lib/federation/admin.ts), for signed-in admins only.
import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { isAppError } from '@/lib/errors';
import { federationAdminCommandSchemas, runFederationAdminCommand } from '@/lib/federation/admin';
import { getRuntime } from '@/lib/runtime';
import { checkAdmin } from './require-admin';

const FLASH_COOKIE = 'sluice_peers_flash';

export async function peerLinkAction(form: FormData) {
  const admin = await checkAdmin();
  const verb = String(form.get('action') ?? '');
  const input = { type: `peer.${verb}`, name: String(form.get('name') ?? '').trim() };
  let message: string;
  if (!admin.ok) message = 'Operators only.';
  else if (!['pause', 'resume', 'remove'].includes(verb)) message = 'Unknown action.';
  else {
    const schema = federationAdminCommandSchemas.find((s) => s.shape.type.value === input.type);
    const parsed = schema?.safeParse(input);
    if (!parsed?.success) message = 'Invalid input.';
    else {
      try {
        const runtime = getRuntime();
        message = (await runFederationAdminCommand({ prisma: runtime.db.prisma, engines: runtime.engines }, parsed.data as never)).lines.join(' ');
      } catch (error) {
        message = isAppError(error) ? error.message : 'The command failed; see the server log.';
        if (!isAppError(error)) getRuntime().logger.error({ err: error }, 'admin peer action failed');
      }
    }
  }
  (await cookies()).set(FLASH_COOKIE, message.slice(0, 500), { path: '/admin', maxAge: 60, httpOnly: true, sameSite: 'strict' });
  revalidatePath('/admin');
}
