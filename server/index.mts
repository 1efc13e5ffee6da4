// Sluice's one entry point: `node --import tsx server/index.mts`. Serves Next.js and socket.io on
// one port and runs the relay and workers; ROLES=web,gateway,worker (default all) splits them across
// nodes that share PostgreSQL and Redis.
import path from 'node:path';

// No telemetry, whichever way the server is started.
process.env.NEXT_TELEMETRY_DISABLED = '1';
import { ConfigError, parseConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { startNode } from './node';

let config;
try {
  config = parseConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`sluice: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

const logger = createLogger(config.LOG_LEVEL);
process.chdir(path.resolve(import.meta.dirname, '..'));

/** How long a stop lets in-flight requests finish before closing their connections. */
const DRAIN_MS = 10_000;

// Signals are handled from the start: a SIGTERM during start-up stops the node once it is up.
let stopping = false;
let stopNode: (() => Promise<void>) | null = null;
const stop = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  // A stuck stop must not keep the process alive forever: the HTTP drain, the workers' grace, and
  // ten seconds for the rest (flushing the enqueuer, the relays, closing connections).
  setTimeout(() => {
    logger.error('shutdown timed out; exiting');
    process.exit(1);
  }, DRAIN_MS + config.WORKER_SHUTDOWN_GRACE_MS + 10_000).unref();
  if (!stopNode) return; // start-up finishes first, then stops
  stopNode().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    },
  );
};
process.on('SIGTERM', () => stop('SIGTERM'));
process.on('SIGINT', () => stop('SIGINT'));

try {
  const node = await startNode(config, logger, { drainMs: DRAIN_MS });
  stopNode = () => node.stop();
  if (stopping) {
    stopping = false;
    stop('signal during start-up');
  }
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  logger.fatal({ err: error }, 'start-up failed');
  process.stderr.write(`sluice: start-up failed: ${message}\n`);
  process.exit(1);
}
