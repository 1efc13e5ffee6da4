// Real Sluice instances for the federation tests: each a separate `node --import tsx
// server/index.mts` process with its own database (embedded PGlite in its own DATA_DIR, or its own
// PostgreSQL database) and Redis prefix, on a fixed free port so that it can be restarted at the
// same URL its peers know. Operator commands go through the instance's admin channel, as
// `sluice admin` does; observers are plain socket.io firehose clients.
import { randomBytes } from 'node:crypto';
import { io, type Socket } from 'socket.io-client';
import { ADMIN_HEADER, ADMIN_PATH, deriveAdminKey } from '@/lib/accounts/admin-channel';
import type { AdminCommand, AdminResult } from '@/lib/accounts/admin-commands';
import type { FirehoseEvent } from '@/lib/events';
import { freePort } from '../../helpers/free-port';
import { createAccount } from '../../helpers/fixtures';
import { startServer, type ServerProcess } from '../../helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingPostgres, usingRedis, type TestDatabase } from '../../helpers/test-env';

export interface Instance {
  name: string;
  url: string;
  token: string;
  server: ServerProcess | null;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts another node of this instance: the same database, Redis prefix and secret, its own port.
   * Only with PostgreSQL + Redis (an embedded database belongs to the one process that opened it).
   */
  addNode(): Promise<ServerProcess>;
  /** Runs an operator command on the instance, through the node at `via` (default: the first node). */
  admin(command: AdminCommand, via?: string): Promise<AdminResult>;
  submit(feed: string, values: string[]): Promise<{ accepted: number; results: { eventId?: string; status: string }[] }>;
  /** Visible sightings of a value here (GET /api/v1/check), 0 when unknown. */
  sightings(value: string, via?: string): Promise<number>;
  dispose(): Promise<void>;
}

export async function createInstance(name: string, extraEnv: Record<string, string> = {}): Promise<Instance> {
  const t: TestDatabase = await createTestDatabase();
  const engines = createTestEngines();
  const account = await createAccount(t.db.prisma, {
    plan: 'firehose',
    scopes: ['stream', 'submit', 'read'],
    feeds: [
      { slug: 'pub', tlp: 'CLEAR' },
      { slug: 'internal', tlp: 'CLEAR' },
      { slug: 'priv', tlp: 'GREEN' },
    ],
  });
  if (!usingPostgres) await t.db.close(); // the node owns the embedded database
  const port = await freePort();
  const secret = randomBytes(24).toString('hex');
  const env = {
    ...t.env,
    ...engines.env,
    PORT: String(port),
    NEXTAUTH_SECRET: secret,
    NEXTAUTH_URL: `http://127.0.0.1:${port}`,
    PUBLIC_STREAM_DELAY_SECONDS: '0',
    FEDERATION_LEASE_SECONDS: '3',
    ...extraEnv,
  };
  const url = `http://127.0.0.1:${port}`;
  const extraNodes: ServerProcess[] = [];
  const instance: Instance = {
    name,
    url,
    token: account.token,
    server: null,
    async start() {
      instance.server = await startServer(env, { timeoutMs: 180_000 });
    },
    async stop(signal = 'SIGTERM') {
      await instance.server?.stop(signal);
      instance.server = null;
    },
    async addNode() {
      if (!usingPostgres || !usingRedis) throw new Error('a second node needs PostgreSQL + Redis: the embedded database and in-memory engines belong to one process');
      const node = await startServer({ ...env, PORT: String(await freePort()) }, { timeoutMs: 180_000 });
      extraNodes.push(node);
      return node;
    },
    async admin(command, via = url) {
      const res = await fetch(new URL(ADMIN_PATH, via), {
        method: 'POST',
        headers: { 'content-type': 'application/json', [ADMIN_HEADER]: deriveAdminKey(secret) },
        body: JSON.stringify(command),
      });
      const body = (await res.json()) as { result?: AdminResult; error?: { message: string } };
      if (res.status !== 200 || !body.result) throw new Error(`${name}: admin ${command.type} → ${res.status} ${body.error?.message}`);
      return body.result;
    },
    async submit(feed, values) {
      const res = await fetch(`${url}/api/v1/feeds/${feed}/indicators`, {
        method: 'POST',
        headers: { authorization: `Bearer ${account.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ indicators: values.map((value) => ({ value, tags: ['federation-test'], confidence: 70 })) }),
      });
      if (res.status !== 200) throw new Error(`${name}: submit → ${res.status} ${await res.text()}`);
      return (await res.json()) as { accepted: number; results: { eventId?: string; status: string }[] };
    },
    async sightings(value, via = url) {
      const res = await fetch(`${via}/api/v1/check/${encodeURIComponent(value)}`, { headers: { authorization: `Bearer ${account.token}` } });
      if (res.status !== 200) throw new Error(`${name}: check → ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { known: boolean; sightings?: number };
      return body.known ? (body.sightings ?? 0) : 0;
    },
    async dispose() {
      await instance.stop().catch(() => undefined);
      for (const node of extraNodes) await node.stop().catch(() => undefined);
      await deleteRedisPrefix(engines).catch(() => undefined);
      await engines.close().catch(() => undefined);
      await t.drop().catch(() => undefined);
    },
  };
  return instance;
}

/** Links a and b both ways, the way docs/federation.md tells operators to. */
export async function linkBothWays(a: Instance, b: Instance, rules: { aOut?: object; bOut?: object } = {}): Promise<void> {
  // 1. a creates a link to b without a token yet: it prints the peer token b will use to stream from a.
  const first = await a.admin({ type: 'peer.add', name: b.name, url: b.url, ...(rules.aOut ? { outbound: JSON.stringify(rules.aOut) } : {}) });
  // 2. b links to a with that token, and prints the one a will use.
  const second = await b.admin({ type: 'peer.add', name: a.name, url: a.url, token: first.token!, ...(rules.bOut ? { outbound: JSON.stringify(rules.bOut) } : {}) });
  // 3. a completes its link.
  await a.admin({ type: 'peer.set', name: b.name, token: second.token! });
}

/** A firehose client that keeps every event it gets (resuming by cursor, de-duplicating by id). */
export class Observer {
  readonly events: FirehoseEvent[] = [];
  /** Every delivery, duplicates (same event id twice) included. */
  readonly deliveries: FirehoseEvent[] = [];
  private readonly ids = new Set<string>();
  private cursor: string | undefined;
  private socket: Socket | null = null;

  /** `url`: one node of the instance (default its first). */
  constructor(
    private readonly instance: Instance,
    private readonly url = instance.url,
  ) {}

  connect(): void {
    this.socket = io(`${this.url}/firehose`, {
      transports: ['websocket'],
      reconnectionDelay: 200,
      reconnectionDelayMax: 1000,
      auth: (cb) => cb({ token: this.instance.token, since: this.cursor }),
    });
    // A server that ends the stream (shutdown) is not reconnected to by socket.io itself.
    this.socket.on('disconnect', (reason) => {
      if (reason === 'io server disconnect') setTimeout(() => this.socket?.connect(), 300);
    });
    this.socket.on('indicators', (events: FirehoseEvent[]) => {
      for (const e of events) {
        this.deliveries.push(e);
        this.cursor = e.cursor;
        if (this.ids.has(e.id)) continue;
        this.ids.add(e.id);
        this.events.push(e);
      }
    });
  }

  /** Distinct events carrying this value. */
  count(value: string): number {
    return this.events.filter((e) => e.indicator.value === value).length;
  }

  close(): void {
    this.socket?.disconnect();
  }
}
