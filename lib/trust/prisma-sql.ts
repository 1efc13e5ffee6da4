// A SqlDriver over a Prisma client, for code that only gets Prisma (the admin commands' deps).
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import type { PrismaClient } from '../generated/prisma/client';

type RawClient = Pick<PrismaClient, '$queryRawUnsafe' | '$executeRawUnsafe'>;

function sessionOf(client: RawClient): SqlSession {
  return {
    async exec(sql) {
      await client.$executeRawUnsafe(sql);
    },
    async query<T extends Record<string, unknown>>(sql: string, params: unknown[] = []) {
      return (await client.$queryRawUnsafe(sql, ...params)) as T[];
    },
  };
}

export function sqlFromPrisma(prisma: PrismaClient): SqlDriver {
  return {
    kind: 'postgres',
    ...sessionOf(prisma),
    transaction: (fn) => prisma.$transaction((tx) => fn(sessionOf(tx)), { timeout: 30_000 }),
    close: async () => undefined,
  };
}
