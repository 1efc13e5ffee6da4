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
  config: Pick<Config, 'DATABASE_URL' | 'DATA_DIR'> & Partial<Pick<Config, 'DATABASE_CONNECT_TIMEOUT_MS' | 'DATABASE_QUERY_TIMEOUT_MS'>>,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  let db: Database;
  if (config.DATABASE_URL) {
    const [{ default: pg }, { PrismaPg }] = await Promise.all([import('pg'), import('@prisma/adapter-pg')]);
    const connectionTimeoutMillis = config.DATABASE_CONNECT_TIMEOUT_MS ?? 5000;
    if (options.migrate !== false) {
      // Migrations on a connection of their own, without the statement bound: one may rightly take long.
      const once = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1, connectionTimeoutMillis });
      once.on('error', () => undefined);
      try {
        await migrate(pgDriver(once));
      } finally {
        await once.end().catch(() => undefined);
      }
    }
    // Every wait on the server is bounded: a server that accepts connections but answers nothing (hung,
    // or a network that drops packets) fails queries — a 503 — instead of holding requests for ever.
    const queryTimeout = config.DATABASE_QUERY_TIMEOUT_MS ?? 30_000;
    const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 20, connectionTimeoutMillis, ...(queryTimeout > 0 ? { query_timeout: queryTimeout } : {}) });
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
  if (options.migrate !== false && db.kind === 'embedded') {
    try {
      await migrate(db.sql);
    } catch (error) {
      await db.close();
      throw error;
    }
  }
  return db;
}
