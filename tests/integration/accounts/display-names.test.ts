// Display names are unique in any letter case (lib/accounts/update-display-name.ts): two accounts
// asking for the same name at the same moment do not both get it (the UNIQUE index on
// lower(display_name) decides, mapped to 409 display_name_taken), look-alike letters from another
// script do not pass for a name, and the migration that made the index unique kept the oldest of
// accounts that already shared a name.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { displayNameSchema, updateDisplayName } from '@/lib/accounts/update-display-name';
import { AppError } from '@/lib/errors';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

let serial = 0;
async function newUser(createdAt?: Date): Promise<string> {
  serial += 1;
  const user = await t.db.prisma.user.create({ data: { email: `dn${serial}@test.local`, passwordHash: '!', ...(createdAt ? { createdAt } : {}) }, select: { id: true } });
  return user.id;
}

describe('display names', () => {
  it('go to one account only when two ask for the same name at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const users = await Promise.all([newUser(), newUser(), newUser()]);
      const name = `Race Team ${round}`;
      const results = await Promise.allSettled(users.map((id, i) => updateDisplayName(t.db.prisma, id, i === 1 ? name.toUpperCase() : name)));
      const ok = results.filter((r) => r.status === 'fulfilled');
      expect(ok, `round ${round}`).toHaveLength(1);
      for (const r of results) {
        if (r.status === 'rejected') {
          expect(r.reason).toBeInstanceOf(AppError);
          expect(r.reason).toMatchObject({ code: 'display_name_taken', status: 409 });
        }
      }
      const holders = await t.db.prisma.user.count({ where: { displayName: { equals: name, mode: 'insensitive' } } });
      expect(holders).toBe(1);
    }
  });

  it('are unique in the database, in any letter case', async () => {
    const [a, b] = [await newUser(), await newUser()];
    await updateDisplayName(t.db.prisma, a, 'Index Holder');
    // Another account taking the name between the check and the write: the index refuses the write.
    await expect(t.db.prisma.user.update({ where: { id: b }, data: { displayName: 'INDEX HOLDER' } })).rejects.toMatchObject({ code: 'P2002' });
    await expect(updateDisplayName(t.db.prisma, b, 'index holder')).rejects.toMatchObject({ code: 'display_name_taken', status: 409 });
    // The owner may change the case of their own name.
    await expect(updateDisplayName(t.db.prisma, a, 'INDEX Holder')).resolves.toEqual({ displayName: 'INDEX Holder' });
  });

  it('refuse letters of look-alike scripts mixed in a name', async () => {
    const [a, b] = [await newUser(), await newUser()];
    await updateDisplayName(t.db.prisma, a, 'Alice Cooper');
    for (const lookAlike of ['\u0410lice Cooper', 'Alice C\u043eoper', 'Alic\u0435', '\u0391lice', 'Ali\u13a5e']) {
      await expect(updateDisplayName(t.db.prisma, b, lookAlike), lookAlike).rejects.toMatchObject({ code: 'invalid_display_name', status: 400 });
    }
    // Full-width and mathematical letters are stored as the letters they stand for, so they are the same name.
    await expect(updateDisplayName(t.db.prisma, b, '\uff21lice Cooper')).rejects.toMatchObject({ code: 'display_name_taken' });
    await expect(updateDisplayName(t.db.prisma, b, '\u{1d400}lice Cooper')).rejects.toMatchObject({ code: 'display_name_taken' });
    expect(displayNameSchema.parse('\uff21\uff22\uff23 Lab')).toBe('ABC Lab');
    // One script at a time, and Latin with CJK scripts, still pass.
    for (const fine of ['Алиса Купер', 'Αλίκη', 'Zoë Ångström', '山田 Lab', 'やまだ Taro 山田', '김 Lab', 'Team 42', 'O\'Brien-Smith']) {
      expect(displayNameSchema.safeParse(fine).success, fine).toBe(true);
    }
  });
});

describe('the migration that made display names unique', () => {
  it('keeps a shared name with the oldest account and gives the others a default', async () => {
    const sql = await readFile(path.resolve(import.meta.dirname, '../../../prisma/migrations/20261204110000_display_name_unique/migration.sql'), 'utf8');
    // Back to the state before it: a plain index, and names shared in different cases.
    await t.db.sql.exec(`DROP INDEX "users_display_name_key"; CREATE INDEX "users_display_name_idx" ON "users"(lower("display_name"));`);
    const oldest = await newUser(new Date('2020-01-01T00:00:00Z'));
    const middle = await newUser(new Date('2021-01-01T00:00:00Z'));
    const newest = await newUser(new Date('2022-01-01T00:00:00Z'));
    const alone = await newUser(new Date('2021-06-01T00:00:00Z'));
    await t.db.prisma.user.update({ where: { id: newest }, data: { displayName: 'shared name' } });
    await t.db.prisma.user.update({ where: { id: oldest }, data: { displayName: 'Shared Name' } });
    await t.db.prisma.user.update({ where: { id: middle }, data: { displayName: 'SHARED NAME' } });
    await t.db.prisma.user.update({ where: { id: alone }, data: { displayName: 'Only Mine' } });
    await t.db.sql.exec(sql);
    const names = new Map((await t.db.prisma.user.findMany({ where: { id: { in: [oldest, middle, newest, alone] } }, select: { id: true, displayName: true } })).map((u) => [u.id, u.displayName]));
    expect(names.get(oldest)).toBe('Shared Name');
    expect(names.get(alone)).toBe('Only Mine');
    expect(names.get(middle)).toMatch(/^reporter-[0-9a-f]{12}$/);
    expect(names.get(newest)).toMatch(/^reporter-[0-9a-f]{12}$/);
    expect(names.get(middle)).not.toBe(names.get(newest));
    await expect(t.db.prisma.user.update({ where: { id: middle }, data: { displayName: 'shared NAME' } })).rejects.toMatchObject({ code: 'P2002' });
  });
});
