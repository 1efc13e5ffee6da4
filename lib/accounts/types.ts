// What account and billing functions need from the runtime: the database and the engines.
import type { Engines } from '../engines';
import type { PrismaClient } from '../generated/prisma/client';

export interface AccountDeps {
  prisma: PrismaClient;
  engines: Engines;
}
