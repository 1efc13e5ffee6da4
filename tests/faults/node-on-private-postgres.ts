// The set-up the PostgreSQL fault tests share: a private cluster (tests/faults/private-postgres.ts),
// migrated and seeded by the test, then a Sluice node against it with the test engines (Redis under
// a prefix of its own), and the teardown of all three.
import pg from 'pg';
import { openDatabase, type Database } from '@/lib/db';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestEngines, deleteRedisPrefix } from '@/tests/helpers/test-env';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres';

export interface NodeOnPrivatePostgres {
  cluster: PrivatePostgres;
  server: ServerProcess;
  /** One statement on the cluster over a connection of its own (the test's view, beside the node's pool). */
  query<T extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** `seed` runs on the migrated database before the node starts; `env` is added to the node's. */
export async function startNodeOnPrivatePostgres(
  seed: (db: Database, query: NodeOnPrivatePostgres['query']) => Promise<void>,
  env: Record<string, string> = {},
): Promise<NodeOnPrivatePostgres> {
  const cluster = await startPrivatePostgres();
  const query: NodeOnPrivatePostgres['query'] = async (text, params = []) => {
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const engines = createTestEngines();
  let server: ServerProcess | undefined;
  try {
    const db = await openDatabase({ DATABASE_URL: cluster.url, DATA_DIR: './data' });
    try {
      await seed(db, query);
    } finally {
      await db.close();
    }
    server = await startServer({ ...engines.env, DATABASE_URL: cluster.url, ...env });
  } catch (error) {
    await engines.close().catch(() => undefined);
    await cluster.destroy();
    throw error;
  }
  return {
    cluster,
    server,
    query,
    async stop() {
      await server?.stop();
      await deleteRedisPrefix(engines).catch(() => undefined);
      await engines.close();
      await cluster.destroy();
    },
  };
}
