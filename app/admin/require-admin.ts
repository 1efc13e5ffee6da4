// Who may see the operators' pages: a signed-in user with isAdmin, checked against the database on
// every request (a session outlives a revoked admin flag otherwise).
import { forbidden, redirect } from 'next/navigation';
import { getSessionUser, type SessionUser } from '@/app/_lib/auth';
import { getRuntime } from '@/lib/runtime';

export type AdminCheck = { ok: true; user: SessionUser } | { ok: false; status: 401 | 403 };

export async function checkAdmin(): Promise<AdminCheck> {
  const user = await getSessionUser();
  if (!user) return { ok: false, status: 401 };
  const row = await getRuntime().db.prisma.user.findUnique({ where: { id: user.id }, select: { isAdmin: true } });
  return row?.isAdmin ? { ok: true, user } : { ok: false, status: 403 };
}

/**
 * The guard every operators' page awaits first, before it reads anything: the admin; a signed-out
 * visitor is sent to sign in and back to `callbackUrl`; anyone else gets a 403 (./forbidden.tsx).
 * Each page calls it (not a layout): a layout is not rendered again on client-side navigation.
 */
export async function requireAdmin(callbackUrl: string): Promise<SessionUser> {
  const admin = await checkAdmin();
  if (admin.ok) return admin.user;
  if (admin.status === 401) redirect(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  forbidden();
}

/** Cookie-authenticated POSTs must come from our own pages (next-auth's CSRF check covers only /api/auth). */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.get('origin');
  if (!origin) return false;
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
