// One real node on a fresh, seeded database for a test file: the prologue most HTTP tests share.
import { afterAll, beforeAll } from 'vitest';
import { startServer, type ServerProcess } from './server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from './test-env';

export interface SeededServer {
  /** The test database (closed in this process once the node has it, when embedded). */
  t: TestDatabase;
  /** This file's engines: its own Redis prefix (already in the node's env) on a shared Redis. */
  engines: ReturnType<typeof createTestEngines>;
  server: ServerProcess;
}

export interface SeededServerOptions {
  /** Extra environment for the node (on top of the database's and the engines'). */
  env?: Record<string, string | undefined> | ((t: TestDatabase) => Record<string, string | undefined>);
  /** Give the test's engines the firehose log on the test database (createTestEngines(t.db)). */
  engineLog?: boolean;
  /** The node's start-up budget (startServer's timeoutMs). */
  startTimeoutMs?: number;
  /** beforeAll's budget: creating, seeding and starting. */
  hookTimeoutMs?: number;
  /** When true nothing is created or started (e.g. no production build for a test that needs one). */
  skip?: boolean;
  /** Runs after the node has started (requests through the node that every test needs). */
  afterStart?: (node: SeededServer) => Promise<void>;
}

/**
 * Registers this file's beforeAll/afterAll: a fresh test database and engines, `seed` run against the
 * database while this process owns it, then a real node (server/index.mts) started on them — an
 * embedded database belongs to one process, so it is closed here first and the node opens it.
 * The returned object is filled in by beforeAll; afterAll stops the node and removes what was made.
 */
export function setUpSeededServer(seed: (t: TestDatabase) => Promise<void>, options: SeededServerOptions = {}): SeededServer {
  const node = {} as SeededServer;
  beforeAll(async () => {
    if (options.skip) return;
    node.t = await createTestDatabase();
    node.engines = options.engineLog ? createTestEngines(node.t.db) : createTestEngines();
    await seed(node.t);
    if (node.t.db.kind === 'embedded') await node.t.db.close();
    const extra = typeof options.env === 'function' ? options.env(node.t) : (options.env ?? {});
    node.server = await startServer({ ...node.t.env, ...node.engines.env, ...extra }, { timeoutMs: options.startTimeoutMs });
    await options.afterStart?.(node);
  }, options.hookTimeoutMs ?? 120_000);
  afterAll(async () => {
    await node.server?.stop();
    if (node.engines) {
      await deleteRedisPrefix(node.engines);
      await node.engines.close();
    }
    await node.t?.drop().catch(() => undefined);
  });
  return node;
}
