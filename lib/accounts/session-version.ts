// Sessions that can end: every session (a next-auth JWT) carries the user's session version, and each
// request compares it with the database's. Bumping the version (sign-out, an operator's suspension)
// ends every session of that user on every device.
import type { PrismaClient } from '../generated/prisma/client';

/** The user's current session version, or null when the user no longer exists. */
export async function getSessionVersion(prisma: PrismaClient, userId: string): Promise<number | null> {
  const row = await prisma.user.findUnique({ where: { id: userId }, select: { sessionVersion: true } });
  return row?.sessionVersion ?? null;
}

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

/**
 * Session versions read through a short cache: a request costs no query when the same user asked
 * within `ttlMs`. A node learns of a sign-out elsewhere within `ttlMs`; on the node that ended the
 * sessions, `forget` makes it immediate.
 */
export function createSessionVersionCache(ttlMs = 2_000, maxEntries = 10_000) {
  const entries = new Map<string, { version: number | null; until: number }>();
  return {
    async get(prisma: PrismaClient, userId: string): Promise<number | null> {
      const now = Date.now();
      const hit = entries.get(userId);
      if (hit && hit.until > now) return hit.version;
      const version = await getSessionVersion(prisma, userId);
      if (entries.size >= maxEntries) entries.clear();
      entries.set(userId, { version, until: now + ttlMs });
      return version;
    },
    forget(userId: string): void {
      entries.delete(userId);
    },
  };
}
