// Control messages to every gateway node: a token was revoked, a user's plan changed, a user was suspended. A capped Redis
// stream with REDIS_URL (every node reads it), an in-process emitter otherwise.
//
// Announcements are durable: the change and its announcement commit together (a `control_outbox`
// row written by announceInTransaction), then the caller publishes at once (deliverControl, the fast
// path) and every node's control relay (startControlRelay) publishes whatever is still pending,
// retrying with backoff while Redis is down. Delivery is at least once and in commit order; the
// gateway treats a repeated message as a no-op. The gateway's periodic database re-check of open
// streams is the slow backstop behind this.
import { EventEmitter } from 'node:events';
import type { Engines } from './engines';
import type { PrismaClient } from './generated/prisma/client';
import type { Logger } from './logger';
import type { PlanId } from './plans';
import { processSlot } from './process-state';
import { withTimeout } from './timeout';

export type ControlMessage =
  | { type: 'token_revoked'; tokenId: string; userId: string }
  | { type: 'plan_changed'; userId: string; plan: PlanId }
  /** An operator suspended the account: every stream of every token of the user ends (lib/accounts/suspension.ts). */
  | { type: 'user_suspended'; userId: string };

// Process state (lib/process-state): Next.js bundles route handlers apart from the server entry,
// and both must share one in-process bus.
const localBus = () => processSlot('controlBus', () => new EventEmitter().setMaxListeners(0));

const channel = (engines: Pick<Engines, 'prefix'>) => `${engines.prefix}control`;
/** Control messages Redis keeps, so a node that was disconnected reads what it missed. */
const STREAM_MAX_LENGTH = 10_000;

/** What announcing needs: the database (the outbox) and the engines (the bus). */
export interface ControlDeps {
  prisma: PrismaClient;
  engines: Engines;
}

type Tx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

/** Publishes one message on the bus now. Throws when Redis does not take it. Prefer the outbox. */
export async function publishControl(engines: Engines, message: ControlMessage): Promise<void> {
  if (engines.redis) await engines.redis.xadd(channel(engines), 'MAXLEN', '~', STREAM_MAX_LENGTH, '*', 'm', JSON.stringify(message));
  else localBus().emit('message', message);
}

/** Records an announcement inside the caller's transaction: it is published once that commits. */
export async function announceInTransaction(tx: Tx, message: ControlMessage): Promise<void> {
  await tx.controlOutbox.create({ data: { message } });
}

/** How long the fast path waits for Redis before leaving the announcement to the relay. */
const FAST_PATH_TIMEOUT_MS = 2000;

const withBusTimeout = <T>(promise: Promise<T>, ms: number) => withTimeout(promise, ms, () => new Error(`control bus did not answer within ${ms} ms`));

/**
 * Publishes pending announcements, oldest first, and deletes each once the bus took it. Returns how
 * many were published; throws (leaving the rest in place) when the bus is down. Several publishers
 * may run at once (nodes, the CLI): a message can then go out twice, never zero times.
 */
export async function publishPendingControl(deps: ControlDeps, options: { limit?: number; timeoutMs?: number } = {}): Promise<number> {
  // Without Redis the bus is this process's: a process with no listener (the CLI working on the
  // database directly) leaves the rows for the node whose gateway listens (its control relay).
  if (!deps.engines.redis && localBus().listenerCount('message') === 0) return 0;
  const rows = await deps.prisma.controlOutbox.findMany({ orderBy: { id: 'asc' }, take: options.limit ?? 100, select: { id: true, message: true } });
  let published = 0;
  for (const row of rows) {
    const sent = publishControl(deps.engines, row.message as unknown as ControlMessage);
    await (options.timeoutMs ? withBusTimeout(sent, options.timeoutMs) : sent);
    await deps.prisma.controlOutbox.deleteMany({ where: { id: row.id } });
    published += 1;
  }
  return published;
}

// One fast-path publisher at a time per process and bus (the relay's loop is separate).
const inFlight = new WeakMap<object, Promise<void>>();

/**
 * The fast path after a commit that announced something: publish now, waiting at most ~2 s for
 * Redis. Never throws: what could not be published stays in the outbox for the control relay.
 */
export function deliverControl(deps: ControlDeps, logger?: Pick<Logger, 'warn'>): Promise<void> {
  const previous = inFlight.get(deps.engines) ?? Promise.resolve();
  const run = previous.then(async () => {
    try {
      await publishPendingControl(deps, { timeoutMs: FAST_PATH_TIMEOUT_MS });
    } catch (error) {
      logger?.warn({ err: error }, 'control announcement not published yet (bus unreachable); the control relay retries it');
    }
  });
  inFlight.set(deps.engines, run);
  return run;
}

/** Announcements older than this are dropped unpublished: no stream they concern is still open (the gateways' periodic database re-check has ended it). */
const CONTROL_OUTBOX_MAX_AGE_MS = 24 * 3_600_000;
const PRUNE_EVERY_MS = 10 * 60_000;

async function pruneControlOutbox(deps: ControlDeps): Promise<void> {
  await deps.prisma.controlOutbox.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - CONTROL_OUTBOX_MAX_AGE_MS) } } });
}

export interface ControlRelay {
  stop(): Promise<void>;
}

export interface ControlRelayOptions {
  /** Poll interval while healthy, in ms. @default 1000 */
  pollMs?: number;
  /** Backoff while the bus fails: doubles from pollMs up to this. @default 5000 */
  maxBackoffMs?: number;
}

/**
 * Publishes what the control outbox holds, on every node, until the bus takes it: an announcement
 * made while Redis was down goes out when it returns. Loud once per outage, quiet until it recovers.
 */
export function startControlRelay(deps: ControlDeps & { logger: Logger }, options: ControlRelayOptions = {}): ControlRelay {
  const pollMs = options.pollMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const log = deps.logger.child({ module: 'control-relay' });
  let stopped = false;
  let failures = 0;
  let lastPrune = 0;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;

  const loop = (async () => {
    while (!stopped) {
      let delay = pollMs;
      try {
        const published = await publishPendingControl(deps, { timeoutMs: 10_000 });
        if (Date.now() - lastPrune > PRUNE_EVERY_MS) {
          lastPrune = Date.now();
          await pruneControlOutbox(deps);
        }
        if (failures && published) log.info({ published, failures }, 'control relay recovered: pending announcements published');
        else if (failures) log.info({ failures }, 'control relay recovered');
        failures = 0;
        if (published === 100) delay = 0;
      } catch (error) {
        failures += 1;
        delay = Math.min(maxBackoffMs, pollMs * 2 ** Math.min(failures - 1, 10));
        if (failures === 1) log.error({ err: error }, 'control relay: cannot publish announcements; they are kept and retried');
        else log.debug({ err: error, failures }, 'control relay still failing');
      }
      if (stopped || delay === 0) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
      });
      wake = null;
    }
  })();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
    },
  };
}

type ControlListener = (message: ControlMessage) => void;

/** The Redis client name of a node's control reader. */
export const controlReaderName = (engines: Pick<Engines, 'prefix'>) => `${engines.prefix.replace(/[^\w:.-]/g, '_')}control-reader`;

/** One node's reader of the control stream, shared by every subscriber on it (see subscribeControl). */
interface SharedReader {
  listeners: Set<ControlListener>;
  /** Resolves once the reader's starting point is fixed: from then on no message is missed. */
  started: Promise<void>;
  stop(): Promise<void>;
}
const sharedReaders = new WeakMap<Engines, SharedReader>();

/**
 * Subscribes to control messages; returns an unsubscribe function. With Redis the messages travel on
 * a capped stream rather than pub/sub: each node reads on from the last message it saw, so a node
 * whose connection dropped while an announcement went out still gets it when it reconnects.
 * Subscribers on one set of engines share one reader (one Redis connection per node, however many
 * parts listen), and each message reaches them in the order they subscribed, in one tick: the
 * gateway's guard and the node's token cache see a revocation together.
 */
export async function subscribeControl(engines: Engines, onMessage: ControlListener, logger?: Pick<Logger, 'warn' | 'debug' | 'info'>): Promise<() => Promise<void>> {
  if (!engines.redis) {
    const bus = localBus();
    bus.on('message', onMessage);
    return async () => {
      bus.off('message', onMessage);
    };
  }
  let shared = sharedReaders.get(engines);
  if (!shared) {
    shared = startSharedReader(engines, logger);
    sharedReaders.set(engines, shared);
  }
  const reader = shared;
  reader.listeners.add(onMessage);
  try {
    await reader.started;
  } catch (error) {
    reader.listeners.delete(onMessage);
    if (sharedReaders.get(engines) === reader) sharedReaders.delete(engines);
    throw error;
  }
  return async () => {
    if (!reader.listeners.delete(onMessage) || reader.listeners.size) return;
    if (sharedReaders.get(engines) === reader) sharedReaders.delete(engines);
    await reader.stop();
  };
}

function startSharedReader(engines: Engines, logger?: Pick<Logger, 'warn' | 'debug' | 'info'>): SharedReader {
  const key = channel(engines);
  // Named, so an operator's CLIENT LIST shows what each node's connection is for.
  const reader = engines.redis!.duplicate({ connectionName: controlReaderName(engines) });
  reader.on('error', (error: Error) => logger?.debug({ err: error }, 'control reader connection error'));
  const listeners = new Set<ControlListener>();
  let stopped = false;

  const deliver = (message: ControlMessage) => {
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch (error) {
        logger?.warn({ err: error }, 'a control message listener failed');
      }
    }
  };

  const readFrom = async (after: string) => {
    let lastId = after;
    let failures = 0;
    while (!stopped) {
      try {
        const answer = (await reader.xread('COUNT', 100, 'BLOCK', 5000, 'STREAMS', key, lastId)) as [string, [string, string[]][]][] | null;
        if (failures) logger?.info({ failures }, 'control reader reconnected');
        failures = 0;
        for (const [id, fields] of answer?.[0]?.[1] ?? []) {
          lastId = id;
          let message: ControlMessage;
          try {
            message = JSON.parse(fields[1]) as ControlMessage;
          } catch {
            continue; // Ignore malformed messages: nothing else writes this stream.
          }
          deliver(message);
        }
      } catch (error) {
        if (stopped) break;
        failures += 1;
        // Once per outage, then quietly: ioredis reports every failed reconnect.
        if (failures === 1) logger?.warn({ err: error }, 'control reader lost Redis; retrying (missed announcements are read on reconnect)');
        else logger?.debug({ err: error, failures }, 'control reader still failing');
        await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * failures)));
      }
    }
  };

  // Start after the newest message now (a concrete id, so a reconnection does not skip anything).
  let loop: Promise<void> = Promise.resolve();
  const started = (reader.xrevrange(key, '+', '-', 'COUNT', 1) as Promise<[string, string[]][]>).then((newest) => {
    loop = readFrom(newest[0]?.[0] ?? '0-0');
  });
  started.catch(() => reader.disconnect());
  return {
    listeners,
    started,
    async stop() {
      stopped = true;
      reader.disconnect(); // interrupts the blocking read
      await started.catch(() => undefined);
      await loop;
    },
  };
}
