// Applies prisma/migrations/*/migration.sql in order, one transaction each, recording them in
// _prisma_migrations exactly as `prisma migrate deploy` does, so that Prisma's own tooling can take
// over on a machine that has its schema engine. Several nodes may start at once: an advisory lock
// makes them take turns.
import { createHash, randomUUID } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { SqlDriver } from './sql-driver';

const MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
);`;

/** Arbitrary constant: the advisory lock key shared by every Sluice node's migration runner. */
const MIGRATION_LOCK_KEY = 72707369;

export const DEFAULT_MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../prisma/migrations');

export interface MigrationFile {
  name: string;
  sql: string;
  checksum: string;
}

export async function findMigrations(dir: string = DEFAULT_MIGRATIONS_DIR): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export class MigrationError extends Error {}

/** Applies pending migrations; returns the names it applied. */
export async function migrate(driver: SqlDriver, dir: string = DEFAULT_MIGRATIONS_DIR): Promise<string[]> {
  const migrations = await findMigrations(dir);
  const applied: string[] = [];
  const lock = driver.kind === 'postgres';
  // Session-level advisory locks need one connection: take it inside a transaction-scoped lock
  // per migration instead, and re-check what is applied after acquiring it.
  await driver.exec(MIGRATIONS_TABLE);
  for (const migration of migrations) {
    await driver.transaction(async (tx) => {
      if (lock) await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const rows = await tx.query<{ checksum: string; finished_at: Date | null }>(
        'SELECT checksum, finished_at FROM "_prisma_migrations" WHERE migration_name = $1 AND rolled_back_at IS NULL',
        [migration.name],
      );
      const done = rows.find((r) => r.finished_at !== null);
      if (done) {
        if (done.checksum !== migration.checksum) {
          throw new MigrationError(
            `migration ${migration.name} was modified after it was applied (checksum mismatch); add a new migration instead`,
          );
        }
        return;
      }
      const startedAt = new Date();
      await tx.exec(migration.sql);
      await tx.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count)
         VALUES ($1, $2, now(), $3, NULL, NULL, $4, 1)`,
        [randomUUID(), migration.checksum, migration.name, startedAt],
      );
      applied.push(migration.name);
    });
  }
  return applied;
}
