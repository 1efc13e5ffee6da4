// Sessions that can end: every session (a next-auth JWT) carries the user's session version and a
// session record (lib/accounts/sessions.ts, checked on each request through a short cache). Bumping
// the version and deleting the records (sign-out everywhere, a reset, a suspension) ends every
// session of that user on every device.
import type { PrismaClient } from '../generated/prisma/client';

/**
 * Ends every session of the user (sign out everywhere, password reset, suspension): bumps the version
 * and deletes the session records (lib/accounts/sessions.ts); returns the new version.
 */
export async function endAllSessions(prisma: PrismaClient, userId: string): Promise<number | null> {
  const [rows] = await prisma.$transaction([
    prisma.user.updateManyAndReturn({
      where: { id: userId },
      data: { sessionVersion: { increment: 1 } },
      select: { sessionVersion: true },
    }),
    prisma.userSession.deleteMany({ where: { userId } }),
  ]);
  return rows[0]?.sessionVersion ?? null;
}
