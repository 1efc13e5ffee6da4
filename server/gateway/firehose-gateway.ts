// The firehose gateway: socket.io namespace /firehose for subscribed tokens, and /public for the
// threats page. This file wires the parts, each testable alone: the handshake (auth, entitlement,
// cursor, stream slots), the replay seam (catch-up), filter rooms, the /public namespace, the
// stream guard (control messages, the handshake window, the periodic re-check), delivery
// tracking, the stream ender (slow consumers) and stats; http-stream.ts serves the same firehose
// over HTTP (SSE / NDJSON) from the same dispatcher, handshake and guard.
import type { Namespace, Server, Socket } from 'socket.io';
import { createStreamSlots } from '../../lib/realtime/stream-slots';
import { nodeTokenCache, TokenCache } from '../../lib/token-cache';
import { INTRODUCTIONS_EVENT, streamFiltersSchema, FIREHOSE_NAMESPACE, PUBLIC_NAMESPACE } from '../../lib/realtime/protocol';
import type { Runtime } from '../../lib/runtime';
import { getUsageRecorder } from '../../lib/usage';
import { gatewayMetrics } from '../metrics';
import { bufferedBytes } from './backpressure';
import { frameQueued, trackDeliveries } from './delivery';
import { Dispatcher } from './dispatcher';
import { createStreamEnder } from './end-stream';
import { compileFilter } from './filters';
import { ControlWatch } from './control';
import { startStreamGuard } from './guard';
import { createHandshake, type HandshakeDeps } from './handshake';
import { HttpStreams } from './http-stream';
import { setupPublicNamespace } from './public-namespace';
import { replayThenJoin } from './replay';
import { FilterRooms } from './rooms';
import { startStatsReporter } from './stats';
import { findIntroductions } from '../../lib/federation/discovery';
import { getInstanceId } from '../../lib/federation/instance';
import { resolvePeerAccess } from '../../lib/federation/peer-access';
import { withPeerRules } from '../federation/peer-filter';
import type { FirehoseNamespace, FirehoseSocket, GatewayOptions } from './types';
import { releaseUpgradeRequest } from './upgrade-request';

export type { GatewayOptions } from './types';

export interface Gateway {
  dispatcher: Dispatcher;
  /** The firehose over HTTP (SSE / NDJSON): server/http.ts routes GET /api/v1/stream here. */
  httpStreams: HttpStreams;
  close(): Promise<void>;
}

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
  // The node's cache (server/node.ts), shared with the exports; its own only where the node has none
  // (a gateway made apart from startNode, or no control subscription at start). Either way the
  // guard's control listener (below) invalidates it first, before it ends this node's streams.
  const tokens = nodeTokenCache() ?? new TokenCache(runtime.db.prisma, { ttlMs: runtime.config.STREAM_TOKEN_CACHE_SECONDS * 1000 });
  const handshakeDeps: HandshakeDeps = { prisma: runtime.db.prisma, log: runtime.engines.log, logger: log, slots, watch, tokens, streamsPerToken: runtime.config.STREAMS_PER_TOKEN, trustProxy: runtime.config.TRUST_PROXY,
    peers: { resolve: (auth, instance) => resolvePeerAccess(runtime.db.sql, auth, instance, runtime.config.FEDERATION_MAX_HOPS) },
  };
  firehose.use(createHandshake(handshakeDeps));
  const usageRecorder = getUsageRecorder(runtime);
  const httpStreams = new HttpStreams(dispatcher, handshakeDeps, watch, log.child({ transport: 'http' }), { maxBufferedBytes, usage: usageRecorder });
  const guard = await startStreamGuard({
    firehose,
    watch,
    tokens,
    others: httpStreams,
    prisma: runtime.db.prisma,
    engines: runtime.engines,
    slots,
    endStream,
    logger: log,
    recheckSeconds: runtime.config.STREAM_RECHECK_SECONDS,
  });

  const catchUp = (socket: FirehoseSocket) =>
    replayThenJoin(
      {
        isOpen: () => socket.connected && !socket.data.ending,
        matches: (event) => socket.data.filter.matches(event),
        bufferedBytes: () => bufferedBytes(socket as unknown as Socket),
        send: (frame) => {
          frameQueued(socket.data, frame);
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

  // The handlers are shared by every socket (socket.io calls them with `this` = the socket): no
  // closures kept per connection.
  function onSubscribe(this: FirehoseSocket, raw: unknown, ack: unknown) {
    const respond = typeof ack === 'function' ? (ack as (response: unknown) => void) : () => undefined;
    const parsed = streamFiltersSchema.safeParse(raw ?? {});
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return respond({ error: { code: 'invalid_filters', message: `${issue.path.join('.') || 'filters'}: ${issue.message}` } });
    }
    const filter = withPeerRules(compileFilter(parsed.data), this.data.peer);
    rooms.change(this, filter);
    respond({ data: { filters: filter.filters } });
  }

  // Discovery: a peer link asks which peers this instance introduces (only links flagged `introduce`).
  function onIntroductions(this: FirehoseSocket, ...args: unknown[]) {
    const ack = args.find((a): a is (response: unknown) => void => typeof a === 'function');
    if (!ack) return;
    const peer = this.data.peer;
    if (!peer) return ack({ error: { code: 'scope_required', message: 'introductions are answered to peer links only (a token with the peer scope)' } });
    Promise.all([findIntroductions(runtime.db.sql, { linkId: peer.linkId, instance: peer.peerInstance }), getInstanceId(runtime.db.sql)]).then(
      ([peers, instance]) => ack({ data: { instance, peers } }),
      (error: unknown) => {
        log.warn({ err: error }, 'could not list the peers to introduce');
        ack({ error: { code: 'unavailable', message: 'the introductions could not be read; ask again later' } });
      },
    );
  }

  function onDisconnect(this: FirehoseSocket) {
    gatewayMetrics.connectedSockets.dec();
    this.data.usage?.close();
    rooms.leave(this);
    const { auth, holdsSlot } = this.data;
    if (holdsSlot) slots.release(auth.tokenId, this.id).catch((error: unknown) => log.warn({ err: error }, 'could not release a stream slot'));
  }

  const deliveries = trackDeliveries(io.engine);
  firehose.on('connection', (socket: FirehoseSocket) => {
    // The handshake has read what it needed of the HTTP upgrade request: keep only the little
    // socket.io reads again (upgrade-request.ts), not the whole request for the stream's life.
    releaseUpgradeRequest(socket);
    gatewayMetrics.connectedSockets.inc();
    guard.admitted(socket);
    deliveries.track(socket);
    // Usage (lib/usage): connection time, and events handed to this socket (room frames included),
    // counted where its frames are noted (delivery.ts frameQueued), not by a per-socket hook.
    socket.data.usage = usageRecorder.openStream({ userId: socket.data.auth.user.id, tokenId: socket.data.auth.tokenId });
    if (socket.data.since) {
      catchUp(socket).catch((error: unknown) => {
        // Never a gap: end the stream and let the client resume from what it has.
        log.error({ err: error, tokenPrefix: socket.data.auth.prefix }, 'replay failed');
        endStream(socket, 'unavailable', 'the server could not replay the log after your cursor; reconnect with since=<last cursor>');
      });
    } else {
      rooms.join(socket, socket.data.filter);
    }
    socket.on('subscribe', onSubscribe);
    socket.on(INTRODUCTIONS_EVENT, onIntroductions);
    socket.on('disconnect', onDisconnect);
  });

  setupPublicNamespace(publicNsp, { connectionsPerIp: options.publicConnectionsPerIp, trustProxy: runtime.config.TRUST_PROXY });

  await dispatcher.start();
  const stopStats = startStatsReporter(runtime.engines, firehose as unknown as Namespace, publicNsp, log);
  log.info('firehose gateway ready');

  return {
    dispatcher,
    httpStreams,
    async close() {
      httpStreams.close();
      stopStats();
      await guard.stop();
      for (const socket of firehose.sockets.values()) endStream(socket, 'server_shutdown', 'the server is shutting down; reconnect to another node');
      await dispatcher.stop();
    },
  };
}
