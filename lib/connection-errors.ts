// Connection errors of long-lived clients (ioredis connections, BullMQ queues and workers, pg pools)
// are reported, not swallowed, and not flooded: ioredis emits 'error' on every failed reconnect, so
// the first error of an outage is a warning, the rest are debug lines until the client is ready
// again (or a minute passes without a 'ready' event to mark the end).
import type { Logger } from './logger';

interface ErrorEmitter {
  on(event: 'error', listener: (error: Error) => void): unknown;
}

const QUIET_MS = 60_000;

/** Attaches a rate-limited 'error' listener (and a 'ready' listener when the client has one). */
export function reportConnectionErrors(emitter: ErrorEmitter, logger: Pick<Logger, 'warn' | 'debug' | 'info'> | undefined, what: string): void {
  let lastWarning = 0;
  let down = false;
  emitter.on('error', (error: Error) => {
    const now = Date.now();
    if (!down || now - lastWarning > QUIET_MS) {
      lastWarning = now;
      logger?.warn({ err: error, client: what }, `${what}: connection error (retrying; further errors of this outage at debug level)`);
    } else {
      logger?.debug({ err: error, client: what }, `${what}: still failing`);
    }
    down = true;
  });
  (emitter as { on(event: string, listener: () => void): unknown }).on('ready', () => {
    if (down) logger?.info({ client: what }, `${what}: connection is back`);
    down = false;
  });
}
