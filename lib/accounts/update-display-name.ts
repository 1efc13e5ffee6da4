// The display name public pages show for an account's feeds (never its id or e-mail). Names that
// start with "reporter-" are kept for the defaults new accounts get, and a name another account
// uses (in any letter case) is refused, so one reporter cannot pass for another. The database
// enforces that last rule (the UNIQUE index users_display_name_key on lower(display_name)), so two
// accounts asking for the same name at the same moment cannot both get it.
//
// Look-alike letters: a name is stored in Unicode compatibility form (NFKC: full-width "Ａ" and
// mathematical "𝐀" become "A") and may not mix scripts whose letters look alike — "Аlice" with a
// Cyrillic А next to Latin letters is refused. Latin may be mixed with Han, Hiragana, Katakana,
// Hangul or Bopomofo (the Unicode "highly restrictive" combinations of UTS #39), since Japanese,
// Chinese and Korean names are written that way. A name written wholly in another script that happens to
// look like a Latin one ("АВС" in Cyrillic) is not caught by this rule.
import { z } from 'zod';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import { isUniqueViolation } from './create-user';

export const DEFAULT_DISPLAY_NAME_PREFIX = 'reporter-';

/** Scripts told apart by the mixing rule; letters of any other script count as one "other" script. */
const SCRIPTS = [
  'Latin', 'Cyrillic', 'Greek', 'Armenian', 'Georgian', 'Cherokee', 'Coptic', 'Glagolitic', 'Hebrew', 'Arabic',
  'Syriac', 'Thaana', 'Nko', 'Ethiopic', 'Devanagari', 'Bengali', 'Gurmukhi', 'Gujarati', 'Oriya', 'Tamil',
  'Telugu', 'Kannada', 'Malayalam', 'Sinhala', 'Thai', 'Lao', 'Tibetan', 'Myanmar', 'Khmer', 'Mongolian',
  'Han', 'Hiragana', 'Katakana', 'Hangul', 'Bopomofo', 'Canadian_Aboriginal', 'Runic', 'Ogham', 'Lisu', 'Vai',
] as const;
const SCRIPT_RES = SCRIPTS.map((name) => [name, new RegExp(`^\\p{Script=${name}}$`, 'u')] as const);
const SHARED_RE = /^[\p{Script=Common}\p{Script=Inherited}]$/u;
/** Sets of scripts a name may combine (UTS #39 "highly restrictive"); a single script is always fine. */
const ALLOWED_MIXES: ReadonlySet<string>[] = [
  new Set(['Latin', 'Han', 'Hiragana', 'Katakana']),
  new Set(['Latin', 'Han', 'Bopomofo']),
  new Set(['Latin', 'Han', 'Hangul']),
];

/** The scripts of a text's letters and digits (Common and Inherited characters, such as 0-9, count for none). */
export function scriptsOf(text: string): Set<string> {
  const scripts = new Set<string>();
  for (const char of text) {
    if (SHARED_RE.test(char)) continue;
    scripts.add(SCRIPT_RES.find(([, re]) => re.test(char))?.[0] ?? 'other');
  }
  return scripts;
}

/** True when a name's letters do not mix look-alike scripts (see the top of this file). */
export function hasOneScript(text: string): boolean {
  const scripts = scriptsOf(text);
  return scripts.size <= 1 || ALLOWED_MIXES.some((allowed) => [...scripts].every((s) => allowed.has(s)));
}

export const displayNameSchema = z
  .string()
  .trim()
  .transform((s) => s.normalize('NFKC').trim())
  .pipe(
    z
      .string()
      .min(2, 'Use at least 2 characters.')
      .max(64, 'Use at most 64 characters.')
      // Letters, digits, spaces and . _ ' - only: no controls, no bidirectional overrides, no markup.
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._'-]*$/u, 'Use letters, digits, spaces and . _ \' - (starting with a letter or digit).')
      .refine((s) => !/\s{2,}/.test(s), 'Use single spaces.')
      .refine((s) => !s.toLowerCase().startsWith(DEFAULT_DISPLAY_NAME_PREFIX), `Names starting with "${DEFAULT_DISPLAY_NAME_PREFIX}" are kept for the defaults.`)
      .refine(hasOneScript, 'Do not mix alphabets that look alike (such as Latin with Cyrillic or Greek letters).'),
  );

export async function updateDisplayName(prisma: PrismaClient, userId: string, raw: string): Promise<{ displayName: string }> {
  const parsed = displayNameSchema.safeParse(raw);
  if (!parsed.success) throw new AppError('invalid_display_name', parsed.error.issues[0].message, 400, { field: 'displayName' });
  const displayName = parsed.data;
  const taken = () => new AppError('display_name_taken', 'Another account uses that name. Pick another.', 409, { field: 'displayName' });
  // The common case answered without a failed write; the UNIQUE index decides a race.
  if (await prisma.user.findFirst({ where: { displayName: { equals: displayName, mode: 'insensitive' }, NOT: { id: userId } }, select: { id: true } })) throw taken();
  try {
    await prisma.user.update({ where: { id: userId }, data: { displayName }, select: { id: true } });
  } catch (error) {
    if (isUniqueViolation(error)) throw taken(); // another account took it at the same moment
    throw error;
  }
  return { displayName };
}
