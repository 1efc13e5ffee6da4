// The firehose gateway: socket.io namespace /firehose for subscribed tokens, and /public for the
// threats page. This file wires the parts, each testable alone: the handshake (auth, entitlement,
// cursor), the replay seam (catch-up), filter rooms, the /public namespace, control messages
// (token revoked, plan changed: streams end on every node) and stats.
import type { Namespace, Server, Socket } from 'socket.io';
import { subscribeControl } from '../../lib/control';
import { findStreamVerdicts } from '../../lib/realtime/stream-grants';
import { createStreamSlots, STREAM_SLOT_TTL_MS } from '../../lib/realtime/stream-slots';
import type { FirehoseEvent } from '../../lib/events';
import { streamFiltersSchema, FIREHOSE_NAMESPACE, PUBLIC_NAMESPACE } from '../../lib/realtime/protocol';
import type { Runtime } from '../../lib/runtime';
import { gatewayMetrics } from '../metrics';
import { bufferedBytes, type EngineInternals } from './backpressure';
import { ControlWatch, endingFor, endingForVerdict } from './control';
import { INDICATORS_PACKET_PREFIX } from './delivery';
import { Dispatcher } from './dispatcher';
import { createStreamEnder } from './end-stream';
import { compileFilter } from './filters';
import { createHandshake, type HandshakeDeps } from './handshake';
import { HttpStreams } from './http-stream';
import { setupPublicNamespace } from './public-namespace';
import { replayThenJoin } from './replay';
import { FilterRooms } from './rooms';
import { startStatsReporter } from './stats';
import type { FirehoseNamespace, FirehoseSocket, GatewayOptions } from './types';

export type { GatewayOptions } from './types';

export interface Gateway {
  dispatcher: Dispatcher;
  /** The firehose over HTTP (SSE / NDJSON): server/http.ts routes GET /api/v1/stream here. */
  httpStreams: HttpStreams;
  close(): Promise<void>;
}

const tokenRoom = (tokenId: string) => `token:${tokenId}`;
const userRoom = (userId: string) => `user:${userId}`;

export async function createFirehoseGateway(io: Server, runtime: Runtime, options: GatewayOptions = {}): Promise<Gateway> {
  const log = runtime.logger.child({ module: 'gateway' });
  const firehose = io.of(FIREHOSE_NAMESPACE) as unknown as FirehoseNamespace;
  const publicNsp = io.of(PUBLIC_NAMESPACE);
  const maxBufferedBytes = options.maxBufferedBytes ?? 4 * 1024 * 1024;
  const endStream = createStreamEnder(log);

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
  const rooms = new FilterRooms(dispatcher);

  const slots = createStreamSlots(runtime.engines);
  const watch = new ControlWatch();
  const handshakeDeps: HandshakeDeps = { prisma: runtime.db.prisma, log: runtime.engines.log, logger: log, slots, watch, streamsPerToken: runtime.config.STREAMS_PER_TOKEN };
  firehose.use(createHandshake(handshakeDeps));
  const httpStreams = new HttpStreams(dispatcher, handshakeDeps, watch, log.child({ transport: 'http' }), { maxBufferedBytes });

  /** Re-reads these streams' tokens and plans (one query) and ends those no longer allowed. */
  const recheck = async (sockets: Iterable<FirehoseSocket>, withHttp = false) => {
    const open = [...sockets].filter((s) => s.connected && !s.data.ending && s.data.auth);
    const http = withHttp ? httpStreams.open() : [];
    if (!open.length && !http.length) return;
    const verdicts = await findStreamVerdicts(runtime.db.prisma, [...open.map((s) => s.data.auth.tokenId), ...http.map((h) => h.tokenId)]);
    for (const socket of open) {
      const ending = endingForVerdict(verdicts.get(socket.data.auth.tokenId) ?? null);
      if (ending) endStream(socket, ending.reason, ending.message);
    }
    for (const stream of http) stream.end(verdicts.get(stream.tokenId) ?? null);
  };
  // The backstop: announcements can be lost (Redis down); the database has the truth.
  let rechecking = false;
  const recheckTimer = setInterval(() => {
    if (rechecking) return;
    rechecking = true;
    recheck(firehose.sockets.values(), true)
      .catch((error: unknown) => log.warn({ err: error }, 'could not re-check open streams'))
      .finally(() => {
        rechecking = false;
      });
  }, runtime.config.STREAM_RECHECK_SECONDS * 1000);
  recheckTimer.unref();
  // This node's slots stay taken while their streams are open; a dead node's lapse.
  const slotTimer = setInterval(() => {
    const held = [...firehose.sockets.values()].filter((s) => s.data.holdsSlot).map((s) => ({ tokenId: s.data.auth.tokenId, member: s.id }));
    for (const stream of httpStreams.open()) if (stream.slot) held.push(stream.slot);
    if (held.length) slots.refresh(held).catch((error: unknown) => log.warn({ err: error }, 'could not refresh stream slots'));
  }, STREAM_SLOT_TTL_MS / 3);
  slotTimer.unref();

  const catchUp = (socket: FirehoseSocket) =>
    replayThenJoin(
      {
        isOpen: () => socket.connected && !socket.data.ending,
        matches: (event) => socket.data.filter.matches(event),
        bufferedBytes: () => bufferedBytes(socket as unknown as Socket),
        send: (frame) => {
          socket.emit('indicators', frame);
          gatewayMetrics.frames.inc();
          gatewayMetrics.eventsDelivered.inc(frame.length);
        },
        advance: (cursor) => {
          socket.data.lastCursor = cursor;
          socket.data.delivered.advanced(cursor);
        },
        joinLive: () => rooms.join(socket, socket.data.filter),
      },
      socket.data.since!,
      { log: runtime.engines.log, seam: () => dispatcher.lastDispatched, logger: log, pauseAboveBytes: maxBufferedBytes / 2 },
    );

  firehose.on('connection', (socket: FirehoseSocket) => {
    gatewayMetrics.connectedSockets.inc();
    const { auth } = socket.data;
    void socket.join([tokenRoom(auth.tokenId), userRoom(auth.user.id)]);
    // A revocation or plan change announced while this socket was being admitted found no socket
    // to end: its token was verified before the change may have been saved. Check again.
    if (watch.changedSince(socket.data.controlMark, auth)) {
      recheck([socket]).catch((error: unknown) => log.warn({ err: error }, 'could not re-check a new stream'));
    }
    // Frames from rooms don't pass through here; track the cursor on every outgoing packet.
    socket.onAnyOutgoing((event: string, ...args: unknown[]) => {
      const frame = args[0] as FirehoseEvent[];
      if (event === 'indicators' && frame.length) {
        socket.data.lastCursor = frame[frame.length - 1].cursor;
        socket.data.delivered.queued(socket.data.lastCursor);
      }
    });
    const indicatorsPacket = INDICATORS_PACKET_PREFIX(FIREHOSE_NAMESPACE);
    (socket.conn as unknown as EngineInternals).on?.('flush', (packets) => {
      let frames = 0;
      for (const packet of packets) if (typeof packet.data === 'string' && packet.data.startsWith(indicatorsPacket)) frames += 1;
      if (frames) socket.data.delivered.flushed(frames);
    });
    if (socket.data.since) {
      catchUp(socket).catch((error: unknown) => {
        // Never a gap: end the stream and let the client resume from what it has.
        log.error({ err: error, tokenPrefix: auth.prefix }, 'replay failed');
        endStream(socket, 'unavailable', 'the server could not replay the log after your cursor; reconnect with since=<last cursor>');
      });
    } else {
      rooms.join(socket, socket.data.filter);
    }

    socket.on('subscribe', (raw, ack) => {
      const respond = typeof ack === 'function' ? ack : () => undefined;
      const parsed = streamFiltersSchema.safeParse(raw ?? {});
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return respond({ error: { code: 'invalid_filters', message: `${issue.path.join('.') || 'filters'}: ${issue.message}` } });
      }
      const filter = compileFilter(parsed.data);
      rooms.change(socket, filter);
      respond({ data: { filters: filter.filters } });
    });

    socket.on('disconnect', () => {
      gatewayMetrics.connectedSockets.dec();
      rooms.leave(socket);
      if (socket.data.holdsSlot) slots.release(auth.tokenId, socket.id).catch((error: unknown) => log.warn({ err: error }, 'could not release a stream slot'));
    });
  });

  setupPublicNamespace(publicNsp, { connectionsPerIp: options.publicConnectionsPerIp, trustProxy: runtime.config.TRUST_PROXY });

  const unsubscribe = await subscribeControl(
    runtime.engines,
    (message) => {
      watch.note(message);
      for (const socket of firehose.sockets.values()) {
        const ending = endingFor(message, socket.data);
        if (ending) endStream(socket, ending.reason, ending.message);
      }
      httpStreams.onControl(message);
    },
    log,
  );

  await dispatcher.start();
  const stopStats = startStatsReporter(runtime.engines, firehose as unknown as Namespace, publicNsp, log);
  log.info('firehose gateway ready');

  return {
    dispatcher,
    httpStreams,
    async close() {
      httpStreams.close();
      stopStats();
      clearInterval(slotTimer);
      clearInterval(recheckTimer);
      await unsubscribe();
      for (const socket of firehose.sockets.values()) endStream(socket, 'server_shutdown', 'the server is shutting down; reconnect to another node');
      await dispatcher.stop();
    },
  };
}
