// The display name public pages show for an account's feeds (never its id or e-mail). Names that
// start with "reporter-" are kept for the defaults new accounts get, and a name another account
// uses (in any letter case) is refused, so one reporter cannot pass for another.
import { z } from 'zod';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';

export const DEFAULT_DISPLAY_NAME_PREFIX = 'reporter-';

export const displayNameSchema = z
  .string()
  .trim()
  .min(2, 'Use at least 2 characters.')
  .max(64, 'Use at most 64 characters.')
  // Letters, digits, spaces and . _ ' - only: no controls, no bidirectional overrides, no markup.
  .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u, 'Use letters, digits, spaces and . _ \' - (starting with a letter or digit).')
  .refine((s) => !/\s{2,}/.test(s), 'Use single spaces.')
  .refine((s) => !s.toLowerCase().startsWith(DEFAULT_DISPLAY_NAME_PREFIX), `Names starting with "${DEFAULT_DISPLAY_NAME_PREFIX}" are kept for the defaults.`);

export async function updateDisplayName(prisma: PrismaClient, userId: string, raw: string): Promise<{ displayName: string }> {
  const parsed = displayNameSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('invalid_display_name', parsed.error.issues[0].message, 400, { field: 'displayName' });
  const displayName = parsed.data;
  const taken = await prisma.user.findFirst({ where: { displayName: { equals: displayName, mode: 'insensitive' }, NOT: { id: userId } }, select: { id: true } });
  if (taken) throw new AppError('display_name_taken', 'Another account uses that name. Pick another.', 409, { field: 'displayName' });
  await prisma.user.update({ where: { id: userId }, data: { displayName }, select: { id: true } });
  return { displayName };
}
