// Prisma CLI configuration. Only `prisma generate` is used here: migrations are applied by
// lib/db/migrate.ts (Prisma 7's migrate needs a native engine this environment cannot download).
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://localhost:5432/sluice' },
});
