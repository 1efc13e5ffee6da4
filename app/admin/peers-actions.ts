'use server';
// Server actions of the admin page's Peers section: pause, resume and remove a link; accept (with a
// token from that instance) or dismiss a suggested peer. The same operator commands as `sluice admin
// peer …` (lib/federation/admin.ts), for signed-in admins only.
import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { isAppError } from '@/lib/errors';
import { federationAdminCommandSchemas, runFederationAdminCommand } from '@/lib/federation/admin';
import { getRuntime } from '@/lib/runtime';
import { checkAdmin } from './require-admin';

const FLASH_COOKIE = 'sluice_peers_flash';

const text = (form: FormData, key: string) => String(form.get(key) ?? '').trim();

async function run(input: Record<string, unknown>, allowed: string[]): Promise<string> {
  const admin = await checkAdmin();
  if (!admin.ok) return 'Operators only.';
  if (!allowed.includes(String(input.type))) return 'Unknown action.';
  const schema = federationAdminCommandSchemas.find((s) => s.shape.type.value === input.type);
  const parsed = schema?.safeParse(input);
  if (!parsed?.success) return 'Invalid input.';
  try {
    const runtime = getRuntime();
    const result = await runFederationAdminCommand({ prisma: runtime.db.prisma, engines: runtime.engines }, parsed.data as never);
    return [...result.lines, ...(result.token ? [result.token] : [])].join(' ');
  } catch (error) {
    if (!isAppError(error)) getRuntime().logger.error({ err: error }, 'admin peer action failed');
    return isAppError(error) ? error.message : 'The command failed; see the server log.';
  }
}

async function flash(message: string) {
  (await cookies()).set(FLASH_COOKIE, message.slice(0, 800), { path: '/admin', maxAge: 60, httpOnly: true, sameSite: 'strict' });
  revalidatePath('/admin');
}

export async function peerLinkAction(form: FormData) {
  await flash(await run({ type: `peer.${text(form, 'action')}`, name: text(form, 'name') }, ['peer.pause', 'peer.resume', 'peer.remove']));
}

/** Accept (needs a peer token issued by that instance) or dismiss a suggested peer. */
export async function peerSuggestionAction(form: FormData) {
  const verb = text(form, 'action');
  const url = text(form, 'url');
  if (verb === 'accept' && !text(form, 'token')) return flash('Accepting a suggested peer needs a peer token issued by that instance (ask its operator).');
  const input =
    verb === 'accept'
      ? { type: 'peer.accept', url, token: text(form, 'token'), ...(text(form, 'name') ? { name: text(form, 'name') } : {}) }
      : { type: `peer.${verb}`, url };
  await flash(await run(input, ['peer.accept', 'peer.dismiss']));
}
