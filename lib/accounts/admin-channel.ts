// How `sluice admin` reaches a running server that owns the embedded database: loopback HTTP to
// /api/internal/admin (served by server/admin-channel.ts on every node), authenticated by a key
// derived from the instance's session secret (which only someone who can read DATA_DIR/secret or
// the server's environment knows).
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const ADMIN_HEADER = 'x-sluice-admin-key';
export const ADMIN_PATH = '/api/internal/admin';

export function deriveAdminKey(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('sluice-admin-channel-v1').digest('base64url');
}

export function adminKeyMatches(sessionSecret: string | undefined, presented: string | null): boolean {
  if (!sessionSecret || !presented) return false;
  const expected = Buffer.from(deriveAdminKey(sessionSecret));
  const given = Buffer.from(presented);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The session secret the server uses: NEXTAUTH_SECRET, else the one generated into DATA_DIR/secret. */
export async function readSessionSecret(env: { NEXTAUTH_SECRET?: string; DATA_DIR: string }): Promise<string | null> {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  try {
    return (await readFile(path.resolve(env.DATA_DIR, 'secret'), 'utf8')).trim() || null;
  } catch {
    return null;
  }
}

/** DATA_DIR/admin.json: where a running server listens (written by the server when it starts). */
export interface AdminHandle {
  pid: number;
  url: string;
}

const handleFile = (dataDir: string) => path.resolve(dataDir, 'admin.json');

export async function writeAdminHandle(dataDir: string, handle: AdminHandle): Promise<void> {
  await writeFile(handleFile(dataDir), JSON.stringify(handle) + '\n', { mode: 0o600 });
}

export async function removeAdminHandle(dataDir: string): Promise<void> {
  await rm(handleFile(dataDir), { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The handle of a live server on this DATA_DIR, or null (missing, unreadable, or its process is gone). */
export async function readAdminHandle(dataDir: string): Promise<AdminHandle | null> {
  try {
    const handle = JSON.parse(await readFile(handleFile(dataDir), 'utf8')) as Partial<AdminHandle>;
    if (typeof handle.pid !== 'number' || typeof handle.url !== 'string' || !isAlive(handle.pid)) return null;
    return { pid: handle.pid, url: handle.url };
  } catch {
    return null;
  }
}
