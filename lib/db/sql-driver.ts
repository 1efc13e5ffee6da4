// The raw SQL seam under Prisma: the migration runner, advisory locks and bulk paths use it.
// Two implementations: a pg Pool (real PostgreSQL) and an in-process PGlite (embedded).
import type { PGlite } from '@electric-sql/pglite';
import type { Pool, PoolClient } from 'pg';

export interface SqlSession {
  /** Runs a script of one or more statements (no parameters). */
  exec(sql: string): Promise<void>;
  query<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface SqlDriver extends SqlSession {
  kind: 'postgres' | 'embedded';
  /** Runs fn on one connection inside a transaction (BEGIN/COMMIT, ROLLBACK on throw). */
  transaction<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export function pgDriver(pool: Pool): SqlDriver {
  const sessionOf = (client: Pool | PoolClient): SqlSession => ({
    async exec(sql) {
      await client.query(sql);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await client.query(sql, params);
      return result.rows as T[];
    },
  });
  return {
    kind: 'postgres',
    ...sessionOf(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // A connection whose ROLLBACK failed (the server went away, or a statement timed out and is
      // still running there) is discarded, never handed to the next transaction in that state.
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const value = await fn(sessionOf(client));
        await client.query('COMMIT');
        return value;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

export function pgliteDriver(db: PGlite): SqlDriver {
  return {
    kind: 'embedded',
    async exec(sql) {
      await db.exec(sql);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      const result = await db.query<T>(sql, params);
      return result.rows;
    },
    transaction(fn) {
      return db.transaction((tx) =>
        fn({
          async exec(sql) {
            await tx.exec(sql);
          },
          async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
            const result = await tx.query<T>(sql, params);
            return result.rows;
          },
        }),
      );
    },
    close: () => db.close(),
  };
}
