// Test infrastructure: every test file gets its own database (a fresh PostgreSQL database on the
// server named by DATABASE_URL, or a temporary embedded PGlite) and its own Redis key prefix.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseConfig, type Config } from '@/lib/config';
import { openDatabase, type Database } from '@/lib/db';
import { createEngines, type Engines } from '@/lib/engines';

export const usingPostgres = Boolean(process.env.DATABASE_URL);
export const usingRedis = Boolean(process.env.REDIS_URL);
/** Redis for the shared engine suites: REDIS_URL, else TEST_REDIS_URL when the machine has one. */
export const redisUrlForEngineTests = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL;

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

export interface TestDatabase {
  db: Database;
  /** The env to give a server process so it uses this same database. */
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A migrated, empty database of the configured kind. */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.DATABASE_URL) {
    const admin = new URL(process.env.DATABASE_URL);
    const name = uniqueName('sluice_t');
    const adminClient = new pg.Client({ connectionString: admin.toString() });
    await adminClient.connect();
    await adminClient.query(`CREATE DATABASE ${name}`);
    await adminClient.end();
    const url = new URL(admin.toString());
    url.pathname = `/${name}`;
    const db = await openDatabase({ DATABASE_URL: url.toString(), DATA_DIR: './data' });
    return {
      db,
      env: { DATABASE_URL: url.toString() },
      async drop() {
        await db.close();
        const c = new pg.Client({ connectionString: admin.toString() });
        await c.connect();
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await c.end();
      },
    };
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-test-'));
  const db = await openDatabase({ DATA_DIR: dir });
  return {
    db,
    env: { DATA_DIR: dir },
    async drop() {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Engines of the configured kind with a prefix of their own; pass the test database when the test
 * uses the firehose log (it lives in PostgreSQL).
 */
export function createTestEngines(db?: Pick<Database, 'sql'>, overrides: Partial<Config> = {}): Engines & { env: Record<string, string> } {
  const prefix = `${uniqueName('sluicetest')}:`;
  const config = parseConfig({ ...process.env, REDIS_PREFIX: prefix });
  const engines = createEngines({ ...config, ...overrides }, { sql: db?.sql });
  return Object.assign(engines, { env: { REDIS_PREFIX: prefix } as Record<string, string> });
}

/** Deletes every Redis key under a prefix (tests clean up after themselves on a shared Redis). */
export async function deleteRedisPrefix(engines: Engines): Promise<void> {
  if (!engines.redis) return;
  const keys = await engines.redis.keys(`${engines.prefix}*`);
  if (keys.length) await engines.redis.del(...keys);
}
