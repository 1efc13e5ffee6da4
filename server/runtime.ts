// Builds the process-wide Runtime: database (migrated), engines, logger, local secrets.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { publicBaseUrl, type Config } from '../lib/config';
import { openDatabase } from '../lib/db';
import { checkRedisVersion, createEngines } from '../lib/engines';
import type { Logger } from '../lib/logger';
import { clearProcessState } from '../lib/process-state';
import { setRuntime, type Runtime } from '../lib/runtime';
import packageJson from '../package.json' with { type: 'json' };

/**
 * next-auth needs NEXTAUTH_SECRET and NEXTAUTH_URL. For local runs without them, a random secret
 * is generated once and kept in DATA_DIR/secret so sessions survive restarts.
 */
async function ensureAuthEnvironment(config: Config, logger: Logger): Promise<void> {
  process.env.NEXTAUTH_URL = publicBaseUrl(config);
  if (config.NEXTAUTH_SECRET) {
    process.env.NEXTAUTH_SECRET = config.NEXTAUTH_SECRET;
    return;
  }
  const file = path.resolve(config.DATA_DIR, 'secret');
  let secret: string;
  try {
    secret = (await readFile(file, 'utf8')).trim();
  } catch {
    secret = randomBytes(32).toString('base64url');
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, secret + '\n', { mode: 0o600 });
    logger.warn({ file }, 'NEXTAUTH_SECRET is not set: generated a local one (set NEXTAUTH_SECRET in production)');
  }
  process.env.NEXTAUTH_SECRET = secret;
}

export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  await ensureAuthEnvironment(config, logger);
  const db = await openDatabase(config, { migrate: config.MIGRATE_ON_START, logger });
  const engines = createEngines(config, { sql: db.sql, logger });
  if (engines.redis) {
    // Fails start-up on a too old server; an unreachable one is only warned about (Redis may come later).
    const version = await checkRedisVersion(engines.redis).catch(async (error: Error) => {
      if (/too old/.test(error.message)) {
        await engines.close();
        await db.close();
        throw error;
      }
      logger.warn({ err: error }, 'could not read the Redis version; continuing (Redis may be starting)');
      return null;
    });
    if (version) logger.debug({ version }, 'Redis version');
  }
  const runtime: Runtime = {
    config,
    roles: config.ROLES,
    db,
    engines,
    logger,
    startedAt: new Date(),
    version: packageJson.version,
  };
  setRuntime(runtime);
  logger.info({ database: db.kind, engines: engines.kind, roles: config.ROLES }, 'runtime ready');
  return runtime;
}

export async function closeRuntime(runtime: Runtime): Promise<void> {
  setRuntime(undefined);
  // The process state's lifetime is the runtime's (its owners closed what they hold before).
  clearProcessState();
  await runtime.engines.close().catch((error: unknown) => runtime.logger.error({ err: error }, 'closing engines failed'));
  await runtime.db.close().catch((error: unknown) => runtime.logger.error({ err: error }, 'closing database failed'));
}
