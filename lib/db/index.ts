// Opens the database: PostgreSQL through pg when DATABASE_URL is set, else an embedded PGlite under
// DATA_DIR. Both are exposed as the same Prisma client plus a raw SQL driver.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config';
import { PrismaClient } from '../generated/prisma/client';
import { claimEmbeddedDatabase } from './embedded-lock';
import { migrate } from './migrate';
import { pgDriver, pgliteDriver, type SqlDriver } from './sql-driver';
import type { Logger } from '../logger';

export type { SqlDriver } from './sql-driver';
export { PrismaClient };

export interface Database {
  prisma: PrismaClient;
  sql: SqlDriver;
  kind: 'postgres' | 'embedded';
  /** Human-readable location without credentials, for logs and /api/health. */
  location: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Apply pending migrations before returning. @default true */
  migrate?: boolean;
  /** Where connection trouble is reported (once per burst). */
  logger?: Pick<Logger, 'warn'>;
}

function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

export async function openDatabase(
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'>,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  let db: Database;
  if (config.DATABASE_URL) {
    const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 20 });
    // An idle client whose connection the server ended (restart, failover) emits 'error' on the
    // pool; unhandled, that would crash the process. The pool replaces the client on next use.
    // Said once per burst (a restart drops every idle client at once), not once per client.
    let lastReported = 0;
    pool.on('error', (error) => {
      if (Date.now() - lastReported < 10_000) return;
      lastReported = Date.now();
      options.logger?.warn({ err: error, module: 'db' }, 'an idle PostgreSQL connection failed; the pool replaces it');
    });
    const sql = pgDriver(pool);
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    db = {
      prisma,
      sql,
      kind: 'postgres',
      location: redactUrl(config.DATABASE_URL),
      async close() {
        await prisma.$disconnect();
        await sql.close().catch(() => undefined);
      },
    };
  } else {
    const [{ PGlite }, { PrismaPGlite }] = await Promise.all([
      import('@electric-sql/pglite'),
      import('pglite-prisma-adapter'),
    ]);
    const dir = path.resolve(config.DATA_DIR, 'pglite');
    await mkdir(dir, { recursive: true });
    const releaseOwnership = await claimEmbeddedDatabase(dir);
    let pglite;
    try {
      pglite = await PGlite.create(dir);
    } catch (error) {
      await releaseOwnership();
      throw error;
    }
    const sql = pgliteDriver(pglite);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    db = {
      prisma,
      sql,
      kind: 'embedded',
      location: dir,
      async close() {
        await prisma.$disconnect();
        await sql.close().catch(() => undefined);
        await releaseOwnership();
      },
    };
  }
  if (options.migrate !== false) {
    try {
      await migrate(db.sql);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
