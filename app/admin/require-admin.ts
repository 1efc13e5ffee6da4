// Who may see the operators' pages: a signed-in user with isAdmin, checked against the database on
// every request (a session outlives a revoked admin flag otherwise).
import { getSessionUser, type SessionUser } from '@/app/_lib/auth';
import { getRuntime } from '@/lib/runtime';

export type AdminCheck = { ok: true; user: SessionUser } | { ok: false; status: 401 | 403 };

export async function checkAdmin(): Promise<AdminCheck> {
  const user = await getSessionUser();
  if (!user) return { ok: false, status: 401 };
  const row = await getRuntime().db.prisma.user.findUnique({ where: { id: user.id }, select: { isAdmin: true } });
  return row?.isAdmin ? { ok: true, user } : { ok: false, status: 403 };
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
