// Operators add and remove warning lists without a restart (`sluice admin warninglist add|remove`,
// /admin; docs/trust.md). An added list is stored in the database (every node compiles the same one,
// no file to copy to each node); the generation bump makes every node recompile within
// WARNING_LISTS_REFRESH_SECONDS, this one at once. Shipped lists are files: disable them instead.
import { z } from 'zod';
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';
import { parseNetwork } from '../indicators/net';
import type { WarningLists } from './warning-lists';

export const WARNING_LIST_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
/** Entries per operator list: room for a Tranco-sized list, not for a whole database in one row. */
export const MAX_LIST_ENTRIES = 200_000;

export const addWarningListSchema = z.object({
  id: z.string().trim().toLowerCase().regex(WARNING_LIST_ID, 'an id is 1–64 of a-z 0-9 . _ - (starting with a letter or digit)'),
  name: z.string().trim().min(1).max(200).optional(),
  type: z.enum(['cidr', 'hostname', 'string']),
  entries: z.array(z.string().max(300, 'an entry is at most 300 characters')).min(1, 'a list needs entries').max(MAX_LIST_ENTRIES),
  /** MISP matching_attributes; "url" makes a hostname list apply to bare-site URLs too. */
  matchingAttributes: z.array(z.string().max(50)).max(20).optional(),
});
export type AddWarningListInput = z.input<typeof addWarningListSchema>;

/**
 * Reads a list as an operator has it: a MISP warning list (JSON with name, type, list) or plain text,
 * one entry per line (# comments and blank lines skipped). Returns the fields for addWarningList.
 */
export function parseWarningListText(text: string): { name?: string; type?: 'cidr' | 'hostname' | 'string'; entries: string[]; matchingAttributes?: string[] } {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch {
      throw new AppError('invalid_list', 'the file starts with "{" but is not valid JSON (a MISP warning list)', 400);
    }
    const misp = z
      .object({ name: z.string().optional(), type: z.string(), list: z.array(z.string()), matching_attributes: z.array(z.string()).optional() })
      .safeParse(json);
    if (!misp.success) throw new AppError('invalid_list', 'a MISP warning list has "type" and a "list" of strings', 400);
    const type = misp.data.type;
    if (type !== 'cidr' && type !== 'hostname' && type !== 'string') {
      throw new AppError('invalid_list', `list type "${type}" is not supported (cidr, hostname, string)`, 400);
    }
    return { name: misp.data.name, type, entries: misp.data.list, matchingAttributes: misp.data.matching_attributes };
  }
  return {
    entries: trimmed
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#')),
  };
}

export async function addWarningList(sql: SqlDriver, lists: WarningLists, input: AddWarningListInput): Promise<{ id: string; entries: number; skipped: number }> {
  const parsed = addWarningListSchema.safeParse(input);
  if (!parsed.success) throw new AppError('invalid_list', parsed.error.issues.map((i) => `${i.path.join('.') || 'list'}: ${i.message}`).join('; '), 400);
  const { id, type } = parsed.data;
  const entries = [...new Set(parsed.data.entries.map((e) => e.trim()).filter(Boolean))];
  if ((await lists.catalogue(sql)).some((l) => l.id === id && l.origin === 'shipped')) {
    throw new AppError('warning_list_exists', `"${id}" is a shipped list (${lists.dir}); choose another id`, 409);
  }
  // What the matcher will actually use: an operator learns at once that their CIDRs did not parse.
  const usable = usableEntries(type, entries);
  if (!usable) throw new AppError('invalid_list', `none of the ${entries.length} entries is a valid ${type} entry`, 400);
  const name = parsed.data.name ?? id;
  const attrs = parsed.data.matchingAttributes ?? (type === 'cidr' ? ['ip-src', 'ip-dst'] : ['domain', 'hostname', 'url']);
  const inserted = await sql.transaction(async (tx) => {
    const rows = await tx.query(
      `INSERT INTO warning_list_custom (id, name, type, entries, matching_attributes)
       VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), ARRAY(SELECT jsonb_array_elements_text($5::jsonb)))
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [id, name, type, JSON.stringify(entries), JSON.stringify(attrs)],
    );
    if (!rows.length) return false;
    await tx.query(`INSERT INTO warning_lists (id, enabled) VALUES ($1, true) ON CONFLICT (id) DO UPDATE SET enabled = true, hits = 0, last_hit_at = NULL`, [id]);
    await tx.query(`UPDATE warning_list_meta SET generation = generation + 1 WHERE id = 1`);
    return true;
  });
  if (!inserted) throw new AppError('warning_list_exists', `a list "${id}" exists; remove it first to replace it`, 409);
  lists.invalidate();
  return { id, entries: entries.length, skipped: entries.length - usable };
}

export async function removeWarningList(sql: SqlDriver, lists: WarningLists, rawId: string): Promise<{ id: string }> {
  const id = rawId.trim().toLowerCase();
  const known = (await lists.catalogue(sql)).find((l) => l.id === id);
  if (known?.origin === 'shipped') {
    throw new AppError('shipped_list', `"${id}" ships with Sluice (${lists.dir}): disable it instead, or delete its file and reload`, 409);
  }
  const removed = await sql.transaction(async (tx) => {
    const rows = await tx.query(`DELETE FROM warning_list_custom WHERE id = $1 RETURNING id`, [id]);
    if (!rows.length) return false;
    await tx.query(`DELETE FROM warning_lists WHERE id = $1`, [id]);
    await tx.query(`UPDATE warning_list_meta SET generation = generation + 1 WHERE id = 1`);
    return true;
  });
  if (!removed) throw new AppError('warning_list_not_found', `no operator-added warning list "${id}"`, 404);
  lists.invalidate();
  return { id };
}

/** How many entries of a list the matchers can use (CIDRs that parse, names without spaces). */
function usableEntries(type: 'cidr' | 'hostname' | 'string', entries: string[]): number {
  return entries.filter((e) => (type === 'cidr' ? parseNetwork(e) !== null : type === 'string' || !/[\s/]/.test(e))).length;
}
