// An in-process gateway on a real HTTP port, with the configured database and engines, for tests
// that drive the firehose with socket.io-client and append to the log directly.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'socket.io';
import { io as connect, type Socket as ClientSocket } from 'socket.io-client';
import { parseConfig } from '@/lib/config';
import type { FirehoseEvent, FirehoseEventBody } from '@/lib/events';
import { createLogger } from '@/lib/logger';
import type { ClientToServerEvents, ServerToClientEvents, StreamFilters } from '@/lib/realtime/protocol';
import type { Runtime } from '@/lib/runtime';
import { createFirehoseGateway, type Gateway, type GatewayOptions } from '@/server/gateway/firehose-gateway';
import { createRealtimeServer } from '@/server/gateway/realtime-server';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from './test-env';
import type { TokenScope } from '@/lib/tokens';
import { createAccount } from './fixtures';

export type FirehoseClient = ClientSocket<ServerToClientEvents, ClientToServerEvents>;

export interface GatewayHarness {
  url: string;
  io: Server;
  gateway: Gateway;
  runtime: Runtime;
  t: TestDatabase;
  close(): Promise<void>;
  /** A user with a token; plan firehose unless said otherwise. */
  makeToken(opts?: { plan?: 'free' | 'firehose'; scopes?: TokenScope[] }): Promise<{ token: string; tokenId: string; userId: string }>;
  /** Appends events to the log as the relay would; returns the bodies with their cursors. */
  append(count: number, make?: (i: number) => Partial<FirehoseEventBody>): Promise<FirehoseEvent[]>;
  client(auth: { token?: string; since?: string; filters?: StreamFilters }, extra?: { extraHeaders?: Record<string, string> }): FirehoseClient;
  /** Another gateway node on the same database and engines (its own HTTP server and socket.io). */
  addNode(options?: GatewayOptions): Promise<GatewayNode>;
}

export interface GatewayNode {
  url: string;
  io: Server;
  gateway: Gateway;
  client(auth: { token?: string; since?: string; filters?: StreamFilters }): FirehoseClient;
  close(): Promise<void>;
}

async function startNode(runtime: Runtime, options: GatewayOptions, clients: FirehoseClient[]): Promise<GatewayNode> {
  const server = createServer();
  const realtime = await createRealtimeServer(server, runtime);
  const gateway = await createFirehoseGateway(realtime.io, runtime, options);
  // GET /api/v1/stream reaches the gateway's HTTP streams (SSE/NDJSON), as server/node.ts routes it.
  server.on('request', (req, res) => {
    if ((req.url ?? '').startsWith('/api/v1/stream')) void gateway.httpStreams.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed = false;
  return {
    url,
    io: realtime.io,
    gateway,
    client(auth) {
      const socket: FirehoseClient = connect(`${url}/firehose`, { transports: ['websocket'], auth, reconnection: false });
      clients.push(socket);
      return socket;
    },
    async close() {
      if (closed) return;
      closed = true;
      await gateway.close();
      await realtime.close();
    },
  };
}

export function eventBody(i: number, overrides: Partial<FirehoseEventBody> = {}): FirehoseEventBody {
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    kind: 'new',
    indicator: {
      type: 'ipv4',
      value: `203.0.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`,
      tags: ['botnet'],
      confidence: 50,
      firstSeen: now,
      lastSeen: now,
      count: 1,
      reporters: 1,
      warnings: [],
    },
    feed: { slug: 'demo', owner: 'alice' },
    reportedAt: now,
    expiresAt: now,
    ...overrides,
  };
}

/**
 * maxBufferedBytes for tests that cut a stalled reader: low, so it is cut quickly, with room for four
 * full batches (256 KB each). A healthy reader on a loaded machine may still hold a frame or two when
 * the next one comes; a limit of one batch cut healthy readers too. The product's default is 4 MB.
 */
export const SLOW_CONSUMER_TEST_LIMIT = 1024 * 1024;

export async function startGatewayHarness(
  options: GatewayOptions = {},
  env: Record<string, string> = {},
): Promise<GatewayHarness> {
  const t = await createTestDatabase();
  const engines = createTestEngines(t.db);
  const config = parseConfig({ ...process.env, ...t.env, ...engines.env, LOG_LEVEL: 'warn', ...env });
  const logger = createLogger('warn');
  const runtime: Runtime = {
    config,
    roles: ['gateway'],
    db: t.db,
    engines,
    logger,
    startedAt: new Date(),
    version: 'test',
  };
  const clients: FirehoseClient[] = [];
  const main = await startNode(runtime, options, clients);
  const nodes: GatewayNode[] = [];
  const { url } = main;
  return {
    url,
    io: main.io,
    gateway: main.gateway,
    runtime,
    t,
    async addNode(nodeOptions = options) {
      const node = await startNode(runtime, nodeOptions, clients);
      nodes.push(node);
      return node;
    },
    async close() {
      for (const c of clients) c.disconnect();
      for (const node of nodes) await node.close();
      await main.close();
      await deleteRedisPrefix(engines);
      await engines.close();
      await t.drop();
    },
    async makeToken({ plan = 'firehose', scopes = ['stream', 'read'] }: { plan?: 'free' | 'firehose'; scopes?: TokenScope[] } = {}) {
      const { user, token, tokenId } = await createAccount(t.db.prisma, { plan, scopes });
      return { token, tokenId, userId: user.id };
    },
    async append(count, make = () => ({})) {
      const bodies = Array.from({ length: count }, (_, i) => eventBody(i, make(i)));
      const cursors = await engines.log.append(bodies.map((b) => JSON.stringify(b)));
      return bodies.map((b, i) => ({ ...b, cursor: cursors[i] }));
    },
    client(auth, extra = {}) {
      const socket: FirehoseClient = connect(`${url}/firehose`, {
        transports: ['websocket'],
        auth,
        reconnection: false,
        extraHeaders: extra.extraHeaders,
      });
      clients.push(socket);
      return socket;
    },
  };
}

/** Resolves with the connect_error data, or rejects if the socket connects. */
export function connectError(socket: FirehoseClient): Promise<{ code: string; message: string; oldest?: string | null }> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected unexpectedly')));
    socket.once('connect_error', (error) => resolve((error as Error & { data: { code: string; message: string } }).data));
  });
}

export function connected(socket: FirehoseClient): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.connected) return resolve();
    socket.once('connect', () => resolve());
    socket.once('connect_error', (error) => reject(new Error(`connect_error: ${JSON.stringify((error as Error & { data?: unknown }).data ?? error.message)}`)));
  });
}

/** Collects `indicators` frames into one list. */
export function collect(socket: FirehoseClient): { events: FirehoseEvent[]; frames: number } {
  const sink = { events: [] as FirehoseEvent[], frames: 0 };
  socket.on('indicators', (events) => {
    sink.frames += 1;
    sink.events.push(...events);
  });
  return sink;
}

export { until } from './wait';
