// Session records: one row per signed-in device. The session cookie (a next-auth JWT) carries the
// row's id and the user's session version; every request that reads the session checks both
// (through a short cache), so deleting the row ends that device's session and bumping the version
// (sign out everywhere, password reset, an operator's suspension) ends all of them at once.
import ipaddr from 'ipaddr.js';
import { normaliseAddress } from '../client-address';
import type { PrismaClient } from '../generated/prisma/client';

/** last_seen_at is written at most this often per session (a request does not cost a write). */
export const LAST_SEEN_WRITE_MS = 5 * 60_000;

/** A session cookie lives this long after its last refresh (next-auth's maxAge); an idle record past it is dead. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 3600;

/** Signed-in devices kept per account: a new sign-in past this ends the least recently seen one. */
export const MAX_SESSIONS_PER_USER = 100;

/** "Chrome on Linux", "Firefox on Android", "curl": enough to recognise a device, nothing more. */
export function summariseUserAgent(ua: string | null | undefined): string {
  if (!ua) return 'Unknown device';
  const s = ua.slice(0, 512);
  const browser = /Edg\//.test(s)
    ? 'Edge'
    : /OPR\//.test(s)
      ? 'Opera'
      : /Firefox\//.test(s)
        ? 'Firefox'
        : /(Chrome|Chromium|HeadlessChrome)\//.test(s)
          ? 'Chrome'
          : /Safari\//.test(s)
            ? 'Safari'
            : /^curl\//.test(s)
              ? 'curl'
              : /^node|undici/i.test(s)
                ? 'Script'
                : 'Browser';
  const os = /Android/.test(s)
    ? 'Android'
    : /iPhone|iPad|iOS/.test(s)
      ? 'iOS'
      : /Windows/.test(s)
        ? 'Windows'
        : /Mac OS X|Macintosh/.test(s)
          ? 'macOS'
          : /CrOS/.test(s)
            ? 'ChromeOS'
            : /Linux/.test(s)
              ? 'Linux'
              : null;
  return os ? `${browser} on ${os}` : browser;
}

/** An IPv4 /24 ("203.0.113.x") or an IPv6 /48 ("2001:db8:1::/48"): where, roughly, not who. */
export function approximateAddress(address: string | null | undefined): string {
  const canonical = normaliseAddress(address);
  if (!canonical) return '';
  const parsed = ipaddr.parse(canonical);
  if (parsed.kind() === 'ipv4') return `${canonical.split('.').slice(0, 3).join('.')}.x`;
  const parts = (parsed as ipaddr.IPv6).parts.slice(0, 3);
  return `${new ipaddr.IPv6([...parts, 0, 0, 0, 0, 0]).toRFC5952String()}/48`;
}

/** Records a new signed-in device; returns the id the session cookie carries. */
export async function createSessionRecord(
  prisma: PrismaClient,
  input: { userId: string; userAgent?: string | null; address?: string | null },
): Promise<string> {
  const row = await prisma.userSession.create({
    data: { userId: input.userId, userAgent: summariseUserAgent(input.userAgent), address: approximateAddress(input.address) },
    select: { id: true },
  });
  // Records do not pile up: the ones whose cookie has expired (idle past the maximum age, plus the
  // last_seen_at write interval) and, past MAX_SESSIONS_PER_USER, the least recently seen go.
  await prisma.$executeRaw`
    DELETE FROM user_sessions WHERE user_id = ${input.userId}::uuid AND id <> ${row.id}::uuid AND (
      last_seen_at < now() - ${SESSION_MAX_AGE_SECONDS + LAST_SEEN_WRITE_MS / 1000}::int * interval '1 second'
      OR id NOT IN (SELECT id FROM user_sessions WHERE user_id = ${input.userId}::uuid ORDER BY (id = ${row.id}::uuid) DESC, last_seen_at DESC, created_at DESC LIMIT ${MAX_SESSIONS_PER_USER}::int))`;
  return row.id;
}

export interface DeviceSession {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  userAgent: string;
  address: string;
}

/** The user's signed-in devices, most recently seen first (not those whose cookie has expired). */
export async function listSessions(prisma: PrismaClient, userId: string): Promise<DeviceSession[]> {
  return prisma.userSession.findMany({
    where: { userId, lastSeenAt: { gte: new Date(Date.now() - SESSION_MAX_AGE_SECONDS * 1000 - LAST_SEEN_WRITE_MS) } },
    orderBy: { lastSeenAt: 'desc' },
    take: MAX_SESSIONS_PER_USER,
    select: { id: true, createdAt: true, lastSeenAt: true, userAgent: true, address: true },
  });
}

/** Ends one device's session (only the user's own); true when there was one to end. */
export async function endSession(prisma: PrismaClient, userId: string, sessionId: string): Promise<boolean> {
  if (!isUuid(sessionId)) return false;
  const { count } = await prisma.userSession.deleteMany({ where: { id: sessionId, userId } });
  return count > 0;
}

/** Ends every session of the user except `keepSessionId` (after a password change). */
export async function endOtherSessions(prisma: PrismaClient, userId: string, keepSessionId: string | null): Promise<number> {
  const { count } = await prisma.userSession.deleteMany({
    where: { userId, ...(keepSessionId && isUuid(keepSessionId) ? { id: { not: keepSessionId } } : {}) },
  });
  return count;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** What a session check found: the session's user and that user's current version, or null (ended). */
export interface LiveSession {
  userId: string;
  version: number;
}

/** Reads a session record and its user's version; touches last_seen_at when it is older than LAST_SEEN_WRITE_MS. */
export async function readSession(prisma: PrismaClient, sessionId: string): Promise<LiveSession | null> {
  if (!isUuid(sessionId)) return null;
  const row = await prisma.userSession.findUnique({
    where: { id: sessionId },
    select: { userId: true, lastSeenAt: true, user: { select: { sessionVersion: true } } },
  });
  if (!row) return null;
  if (Date.now() - row.lastSeenAt.getTime() > LAST_SEEN_WRITE_MS) {
    await prisma.userSession.updateMany({ where: { id: sessionId }, data: { lastSeenAt: new Date() } });
  }
  return { userId: row.userId, version: row.user.sessionVersion };
}

/**
 * Session checks through a short cache: a request costs no query when the same session was checked
 * within `ttlMs`. Another node learns that a session ended within `ttlMs`; on the node that ended it,
 * `forgetUser` / `forgetSession` make it immediate.
 */
export function createSessionCheckCache(ttlMs = 2_000, maxEntries = 10_000) {
  const entries = new Map<string, { live: LiveSession | null; until: number }>();
  return {
    async get(prisma: PrismaClient, sessionId: string): Promise<LiveSession | null> {
      const now = Date.now();
      const hit = entries.get(sessionId);
      if (hit && hit.until > now) return hit.live;
      const live = await readSession(prisma, sessionId);
      if (entries.size >= maxEntries) entries.clear();
      entries.set(sessionId, { live, until: now + ttlMs });
      return live;
    },
    forgetSession(sessionId: string): void {
      entries.delete(sessionId);
    },
    forgetUser(userId: string): void {
      for (const [id, entry] of entries) if (entry.live?.userId === userId) entries.delete(id);
    },
  };
}
