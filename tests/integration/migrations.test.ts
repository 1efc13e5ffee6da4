// The committed migrations and prisma/schema.prisma must describe the same database.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@/lib/db/migrate';
import { createTestDatabase, type TestDatabase } from '../helpers/test-env';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

/** Tables and columns that schema.prisma declares (model → @@map, field → @map). */
async function tablesFromSchema(): Promise<Map<string, Set<string>>> {
  const schema = await readFile(path.resolve(import.meta.dirname, '../../prisma/schema.prisma'), 'utf8');
  const modelNames = new Set([...schema.matchAll(/^model (\w+) \{/gm)].map((m) => m[1]));
  const tables = new Map<string, Set<string>>();
  for (const match of schema.matchAll(/^model (\w+) \{([\s\S]*?)^\}/gm)) {
    const body = match[2];
    const table = /@@map\("([^"]+)"\)/.exec(body)?.[1] ?? match[1];
    const columns = new Set<string>();
    for (const line of body.split('\n')) {
      const field = /^\s+(\w+)\s+(\w+)(\[\])?(\?)?/.exec(line);
      if (!field || line.trim().startsWith('//') || line.trim().startsWith('@@')) continue;
      if (modelNames.has(field[2])) continue; // relation field, no column
      columns.add(/@map\("([^"]+)"\)/.exec(line)?.[1] ?? field[1]);
    }
    tables.set(table, columns);
  }
  return tables;
}

describe('migrations', () => {
  it('create exactly the tables and columns the Prisma schema declares', async () => {
    const expected = await tablesFromSchema();
    const rows = await t.db.sql.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'`,
    );
    const actual = new Map<string, Set<string>>();
    for (const row of rows) {
      if (!actual.has(row.table_name)) actual.set(row.table_name, new Set());
      actual.get(row.table_name)!.add(row.column_name);
    }
    expect([...actual.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [table, columns] of expected) expect([...actual.get(table)!].sort(), table).toEqual([...columns].sort());
  });

  it('are recorded in Prisma’s format and are not re-applied', async () => {
    const before = await t.db.sql.query<{ migration_name: string; checksum: string; finished_at: Date }>(
      'SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name',
    );
    expect(before.length).toBeGreaterThan(0);
    for (const row of before) {
      expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
      expect(row.finished_at).not.toBeNull();
    }
    expect(await migrate(t.db.sql)).toEqual([]);
  });

  it('let Prisma read and write every model', async () => {
    const { prisma } = t.db;
    const user = await prisma.user.create({ data: { email: 'm@example.com', passwordHash: 'h' } });
    const feed = await prisma.feed.create({ data: { ownerId: user.id, slug: 'f', name: 'F' } });
    const indicator = await prisma.indicator.create({
      data: { type: 'domain', value: 'evil.example', firstSeen: new Date(), lastSeen: new Date(), count: 1 },
    });
    await prisma.sighting.create({
      data: { indicatorId: indicator.id, feedId: feed.id, reporterId: user.id, isPublic: true, tags: ['x'], reportedAt: new Date() },
    });
    await prisma.apiToken.create({ data: { userId: user.id, name: 't', prefix: 'slc_abc', hash: 'h1', scopes: ['read'] } });
    await prisma.subscription.create({ data: { userId: user.id, provider: 'local', status: 'active' } });
    await prisma.stripeEvent.create({ data: { id: 'evt_1', type: 'x' } });
    await prisma.outboxEvent.create({ data: { eventId: crypto.randomUUID(), payload: { a: 1 } } });
    const loaded = await prisma.user.findUniqueOrThrow({
      where: { id: user.id },
      include: { feeds: { include: { sightings: true } }, tokens: true, subscription: true },
    });
    expect(loaded.feeds[0].sightings[0].tags).toEqual(['x']);
    expect(loaded.tokens[0].scopes).toEqual(['read']);
    expect(loaded.subscription?.status).toBe('active');
  });
});
