// The firehose gateway: socket.io namespace /firehose for subscribed tokens, and /public for the
// threats page. Auth once in the handshake with the same lib/ checks as the REST API; filters map
// to rooms; `since` replays from the log then joins live at the dispatcher's seam; control
// messages (token revoked, plan changed) end streams on every node.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Namespace, Server, Socket } from 'socket.io';
import { subscribeControl } from '../../lib/control';
import { checkEntitlement } from '../../lib/entitlements';
import { compareCursors, checkCursor } from '../../lib/engines/log/types';
import { isAppError } from '../../lib/errors';
import type { FirehoseEvent } from '../../lib/events';
import { PLANS } from '../../lib/plans';
import {
  firehoseAuthSchema,
  streamFiltersSchema,
  FIREHOSE_NAMESPACE,
  PUBLIC_NAMESPACE,
  type ClientToServerEvents,
  type ConnectErrorData,
  type ServerToClientEvents,
  type StreamEndReason,
} from '../../lib/realtime/protocol';
import { reportGatewayStats } from '../../lib/realtime/gateway-stats';
import type { Runtime } from '../../lib/runtime';
import { verifyApiToken, type VerifiedToken } from '../../lib/tokens';
import { gatewayMetrics } from '../metrics';
import { bufferedBytes } from './backpressure';
import { Dispatcher } from './dispatcher';
import { compileFilter, type CompiledFilter } from './filters';

interface SocketData {
  auth: VerifiedToken;
  filter: CompiledFilter;
  since: string | null;
  /** Newest cursor written to this socket. */
  lastCursor: string | null;
  ending: boolean;
}

type FirehoseSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type FirehoseNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayOptions {
  flushMs?: number;
  maxBatch?: number;
  /** @default 4 MiB */
  maxBufferedBytes?: number;
  /** @default 200 */
  publicMaxPerSecond?: number;
  /** Public sockets allowed per IP. @default 20 */
  publicConnectionsPerIp?: number;
}

export interface Gateway {
  dispatcher: Dispatcher;
  close(): Promise<void>;
}

const REPLAY_PAGE = 1000;

const tokenRoom = (tokenId: string) => `token:${tokenId}`;
const userRoom = (userId: string) => `user:${userId}`;

function refusal(code: ConnectErrorData['code'], message: string, extra: Partial<ConnectErrorData> = {}): Error {
  const error = new Error(message) as Error & { data: ConnectErrorData };
  error.data = { code, message, ...extra };
  gatewayMetrics.connectRefusals.inc({ code });
  return error;
}

function handshakeToken(socket: Socket): string | undefined {
  const fromAuth = (socket.handshake.auth as { token?: unknown })?.token;
  if (typeof fromAuth === 'string') return fromAuth;
  const header = socket.handshake.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match?.[1];
}

export async function createFirehoseGateway(io: Server, runtime: Runtime, options: GatewayOptions = {}): Promise<Gateway> {
  const log = runtime.logger.child({ module: 'gateway' });
  const firehose = io.of(FIREHOSE_NAMESPACE) as unknown as FirehoseNamespace;
  const publicNsp = io.of(PUBLIC_NAMESPACE);
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;

  const endStream = (socket: FirehoseSocket, reason: StreamEndReason, message: string) => {
    if (socket.data.ending) return;
    socket.data.ending = true;
    if (reason === 'slow_consumer') gatewayMetrics.slowConsumerDisconnects.inc();
    log.info({ tokenPrefix: socket.data.auth?.prefix, reason }, 'ending stream');
    socket.emit('stream:ended', { reason, message, cursor: socket.data.lastCursor });
    socket.disconnect(true);
    if (reason === 'slow_consumer') {
      // A client that stopped reading never completes a close handshake: drop its connection
      // (and what is queued for it) after a grace period, so its buffers are released.
      const conn = socket.conn as unknown as { transport?: { socket?: { terminate?: () => void } } };
      setTimeout(() => conn.transport?.socket?.terminate?.(), 2000).unref();
    }
  };

  const dispatcher = new Dispatcher(
    runtime.engines.log,
    firehose as unknown as Namespace,
    publicNsp,
    {
      flushMs: options.flushMs ?? 10,
      maxBatch: options.maxBatch ?? 1000,
      maxBatchBytes: 256 * 1024,
      maxBufferedBytes,
      publicDelayMs: runtime.config.PUBLIC_STREAM_DELAY_SECONDS * 1000,
      publicMaxPerSecond: options.publicMaxPerSecond ?? 200,
    },
    log,
    (socket) =>
      endStream(socket as unknown as FirehoseSocket, 'slow_consumer', `more than ${maxBufferedBytes} bytes were waiting for this client; reconnect with since=<last cursor>`),
  );

  // Track the last cursor each socket received, from the frames themselves.
  const noteDelivered = (socket: FirehoseSocket, frame: FirehoseEvent[]) => {
    if (frame.length) socket.data.lastCursor = frame[frame.length - 1].cursor;
  };

  firehose.use(async (socket, next) => {
    try {
      const parsed = firehoseAuthSchema.safeParse(socket.handshake.auth ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return next(refusal('invalid_request', `invalid handshake auth: ${issue.path.join('.') || 'auth'}: ${issue.message}`));
      }
      const auth = await verifyApiToken(runtime.db.prisma, handshakeToken(socket));
      const entitlement = checkEntitlement(auth, 'stream');
      if (!entitlement.ok) return next(refusal(entitlement.error.code as ConnectErrorData['code'], entitlement.error.message));
      const since = parsed.data.since ?? null;
      if (since) {
        const check = await checkCursor(runtime.engines.log, since);
        if (!check.ok && check.code === 'invalid_cursor') return next(refusal('invalid_cursor', 'since must be a cursor from an event (e.g. "1700000000000-0")'));
        if (!check.ok && check.code === 'cursor_expired') {
          return next(
            refusal('cursor_expired', `events after ${since} are no longer retained; backfill with GET /api/v1/indicators, then resume from the oldest cursor`, {
              oldest: check.oldest,
            }),
          );
        }
      }
      socket.data = { auth, filter: compileFilter(parsed.data.filters), since, lastCursor: since, ending: false };
      next();
    } catch (error) {
      if (isAppError(error)) return next(refusal(error.code as ConnectErrorData['code'], error.message));
      log.error({ err: error }, 'firehose handshake failed');
      next(refusal('invalid_request', 'the server could not authenticate this connection; try again'));
    }
  });

  const joinFilterRoom = (socket: FirehoseSocket, filter: CompiledFilter) => {
    socket.data.filter = filter;
    dispatcher.retain(filter);
    void socket.join(filter.key);
  };

  const leaveFilterRoom = (socket: FirehoseSocket) => {
    const key = socket.data.filter.key;
    if (socket.rooms.has(key)) {
      void socket.leave(key);
      dispatcher.release(key);
    }
  };

  /**
   * Replays the log after the socket's cursor, then joins its live room at the dispatcher's seam:
   * everything up to `dispatcher.lastDispatched` is sent from the log, everything after it comes
   * from the room. The check and the join happen in one synchronous step, so no flush falls between.
   */
  const catchUp = async (socket: FirehoseSocket) => {
    let after = socket.data.since!;
    for (;;) {
      if (!socket.connected || socket.data.ending) return;
      // Let a slow reader drain instead of growing its buffer: replay goes at the client's pace.
      while (bufferedBytes(socket as unknown as Socket) > maxBufferedBytes / 2) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        if (!socket.connected) return;
      }
      const page = await runtime.engines.log.read(after, REPLAY_PAGE);
      const seam = dispatcher.lastDispatched;
      const upToSeam = page.filter((entry) => compareCursors(entry.cursor, seam) <= 0);
      if (upToSeam.length) {
        const events = upToSeam.map(Dispatcher.toEvent).filter((e): e is FirehoseEvent => e !== null);
        const frame = events.filter((e) => socket.data.filter.matches(e));
        if (frame.length) {
          socket.emit('indicators', frame);
          gatewayMetrics.frames.inc();
          gatewayMetrics.eventsDelivered.inc(frame.length);
        }
        after = upToSeam[upToSeam.length - 1].cursor;
        // Filtered-out events still advance the resume point.
        socket.data.lastCursor = after;
      }
      // Still synchronous with reading `seam`: no flush can have happened in between.
      if (compareCursors(after, seam) >= 0 || !upToSeam.length) {
        if (compareCursors(after, seam) < 0) log.warn({ after, seam }, 'the log had nothing between the cursor and the seam (trimmed?)');
        joinFilterRoom(socket, socket.data.filter);
        return;
      }
    }
  };

  firehose.on('connection', (socket: FirehoseSocket) => {
    gatewayMetrics.connectedSockets.inc();
    const { auth } = socket.data;
    void socket.join([tokenRoom(auth.tokenId), userRoom(auth.user.id)]);
    // Frames from rooms don't pass through here; track the cursor on every outgoing packet.
    socket.onAnyOutgoing((event: string, ...args: unknown[]) => {
      if (event === 'indicators') noteDelivered(socket, args[0] as FirehoseEvent[]);
    });
    if (socket.data.since) {
      catchUp(socket).catch((error: unknown) => {
        log.error({ err: error }, 'replay failed');
        socket.disconnect(true);
      });
    } else {
      joinFilterRoom(socket, socket.data.filter);
    }

    socket.on('subscribe', (raw, ack) => {
      const respond = typeof ack === 'function' ? ack : () => undefined;
      const parsed = streamFiltersSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return respond({ error: { code: 'invalid_filters', message: `${issue.path.join('.') || 'filters'}: ${issue.message}` } });
      }
      const filter = compileFilter(parsed.data);
      const live = socket.rooms.has(socket.data.filter.key);
      if (live) {
        leaveFilterRoom(socket);
        joinFilterRoom(socket, filter);
      } else {
        socket.data.filter = filter; // still replaying: the replay applies it and joins when done
      }
      respond({ data: { filters: filter.filters } });
    });

    socket.on('disconnect', () => {
      gatewayMetrics.connectedSockets.dec();
      leaveFilterRoom(socket);
    });
  });

  // Public, tokenless, read-only stream for the threats page: no filters, no resume, a few
  // connections per IP.
  const publicPerIp = new Map<string, number>();
  const publicLimit = options.publicConnectionsPerIp ?? 20;
  publicNsp.use((socket, next) => {
    const ip = socket.handshake.address;
    const count = publicPerIp.get(ip) ?? 0;
    if (count >= publicLimit) return next(refusal('rate_limited', `at most ${publicLimit} public stream connections per address`));
    publicPerIp.set(ip, count + 1);
    socket.once('disconnect', () => {
      const left = (publicPerIp.get(ip) ?? 1) - 1;
      if (left <= 0) publicPerIp.delete(ip);
      else publicPerIp.set(ip, left);
    });
    next();
  });
  publicNsp.on('connection', (socket) => {
    gatewayMetrics.publicSockets.inc();
    // Read-only: anything the client sends is ignored.
    socket.onAny(() => undefined);
    socket.on('disconnect', () => gatewayMetrics.publicSockets.dec());
  });

  const unsubscribe = await subscribeControl(runtime.engines, (message) => {
    if (message.type === 'token_revoked') {
      for (const socket of firehose.sockets.values()) {
        if (socket.data.auth?.tokenId === message.tokenId) endStream(socket, 'token_revoked', 'this API token was revoked');
      }
    } else if (message.type === 'plan_changed' && !PLANS[message.plan].streaming) {
      for (const socket of firehose.sockets.values()) {
        if (socket.data.auth?.user.id === message.userId) endStream(socket, 'plan_ended', 'the Firehose plan ended for this account');
      }
    }
  });

  await dispatcher.start();
  const nodeId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const value = async (metric: { get(): Promise<{ values: { value: number }[] }> }) => (await metric.get()).values[0]?.value ?? 0;
  const report = async () => {
    await reportGatewayStats(runtime.engines, nodeId, {
      connectedSockets: firehose.sockets.size,
      publicSockets: publicNsp.sockets.size,
      eventsDelivered: await value(gatewayMetrics.eventsDelivered),
      frames: await value(gatewayMetrics.frames),
      bytes: await value(gatewayMetrics.bytes),
      slowConsumerDisconnects: await value(gatewayMetrics.slowConsumerDisconnects),
      lagSeconds: await value(gatewayMetrics.lagSeconds),
    }).catch((error: unknown) => log.debug({ err: error }, 'could not report gateway stats'));
  };
  void report();
  const statsTimer = setInterval(() => void report(), 5000);
  statsTimer.unref();
  log.info('firehose gateway ready');

  return {
    dispatcher,
    async close() {
      clearInterval(statsTimer);
      await unsubscribe();
      for (const socket of firehose.sockets.values()) endStream(socket, 'server_shutdown', 'the server is shutting down; reconnect to another node');
      await dispatcher.stop();
    },
  };
}

