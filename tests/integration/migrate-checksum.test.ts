// A migration edited after it was applied stops start-up instead of silently diverging.
import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DEFAULT_MIGRATIONS_DIR, findMigrations, migrate, MigrationError } from '@/lib/db/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-env';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

it('refuses a modified migration and applies a new one', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-migrations-'));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  const [first] = await findMigrations(dir);
  await writeFile(path.join(dir, first.name, 'migration.sql'), first.sql + '\n-- edited\n');
  await expect(migrate(t.db.sql, dir)).rejects.toBeInstanceOf(MigrationError);

  await writeFile(path.join(dir, first.name, 'migration.sql'), first.sql);
  await cp(path.join(dir, first.name), path.join(dir, '99990101000000_extra'), { recursive: true });
  await writeFile(path.join(dir, '99990101000000_extra', 'migration.sql'), 'CREATE TABLE "extra_probe" (id int);');
  expect(await migrate(t.db.sql, dir)).toEqual(['99990101000000_extra']);
  const rows = await t.db.sql.query<{ n: number | string }>(`SELECT count(*) AS n FROM "extra_probe"`);
  expect(Number(rows[0].n)).toBe(0);
});
