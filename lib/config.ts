// Environment configuration, parsed once with zod. A bad value stops start-up naming the variable.
import { z } from 'zod';
import { parseProxyTrust } from './client-address';
import { federationConfigSchema } from './federation/config';
import { exportsConfigSchema } from './exports/config';
import { usageConfigSchema } from './usage/config';
import { jobsConfigSchema } from './jobs/config';
import { trustConfigSchema } from './trust/config';
import { webhooksConfigSchema } from './webhooks/config';

const ROLES = ['web', 'gateway', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csvList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));

const urlWithProtocols = (protocols: string[], example: string) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol);
      } catch {
        return false;
      }
    },
    { message: `must be a URL like ${example}` },
  );

export const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  /** HTTP port for Next.js and socket.io. @default 3000 */
  PORT: z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Comma-separated roles of this node: web, gateway, worker, or all. @default all */
  ROLES: z
    .string()
    .default('all')
    .transform((s, ctx) => {
      const parts = s.split(',').map((x) => x.trim().toLowerCase()).filter(Boolean);
      if (parts.length === 1 && parts[0] === 'all') return [...ROLES];
      const bad = parts.filter((p) => !(ROLES as readonly string[]).includes(p));
      if (bad.length || !parts.length) {
        ctx.addIssue({ code: 'custom', message: `unknown role "${bad.join(',')}" (use web, gateway, worker or all)` });
        return z.NEVER;
      }
      return [...new Set(parts)] as Role[];
    }),
  /** PostgreSQL URL. Unset: embedded PGlite database under DATA_DIR. */
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'postgresql://user@host:5432/db').optional(),
  /**
   * How long a query waits for a PostgreSQL connection (a new one, or a free one of the pool's 20)
   * before it fails; a request then answers 503. @default 5000
   */
  DATABASE_CONNECT_TIMEOUT_MS: z.coerce.number({ message: 'must be a number' }).int().positive().max(600_000).default(5000),
  /**
   * How long one statement may go unanswered before it fails (a hung or unreachable server answers
   * nothing, and a request would wait for ever): requests answer 503, jobs wait and retry. Migrations
   * are not bounded. 0 = no limit. @default 30000
   */
  DATABASE_QUERY_TIMEOUT_MS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(3_600_000).default(30_000),
  /** Directory for the embedded database and generated local secrets. @default ./data */
  DATA_DIR: z.string().min(1).default('./data'),
  /** Redis URL. Unset: in-memory log, adapter, queue and rate limiter (single node). */
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'redis://127.0.0.1:6379').optional(),
  /** Key prefix for everything Sluice stores in Redis, so several instances can share one. */
  REDIS_PREFIX: z.string().regex(/^[\w:.-]*$/, 'letters, digits, and _ : . - only').default('sluice:'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Public base URL, used by next-auth and links. @default http://localhost:PORT */
  NEXTAUTH_URL: urlWithProtocols(['http:', 'https:'], 'https://sluice.example.com').optional(),
  /** Session signing secret. Unset: generated once and kept in DATA_DIR/secret (local runs only). */
  NEXTAUTH_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** How long the firehose log keeps events, in hours. @default 24 */
  LOG_RETENTION_HOURS: z.coerce.number({ message: 'must be a number' }).positive().default(24),
  /** Maximum number of events the firehose log keeps (whichever limit is smaller wins). @default 1000000 */
  LOG_MAX_LENGTH: z.coerce.number({ message: 'must be a number' }).int().min(1000).default(1_000_000),
  /**
   * Events of the log's tail kept in the fast cache (Redis, or the process heap when embedded);
   * older ones are read from PostgreSQL. @default 50000
   */
  LOG_CACHE_LENGTH: z.coerce.number({ message: 'must be a number' }).int().min(100).default(50_000),
  /** Delay of the public (tokenless) threats stream, in seconds. @default 0 */
  PUBLIC_STREAM_DELAY_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(0).default(0),
  /**
   * The public views (/threats and its filtered pages, /threats.json, /threats.csv) are rendered at
   * most once per this many ms per view and node, and every request in between is served that
   * snapshot (server/page-snapshots.ts); a new public indicator shows within about one interval.
   * 0: render every request (development does). @default 2000
   */
  PUBLIC_SNAPSHOT_INTERVAL_MS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(60_000).default(2000),
  /** Concurrent firehose streams per token; unset: the plan's (lib/plans), 0: unlimited (load tests). */
  STREAMS_PER_TOKEN: z.coerce.number({ message: 'must be a number' }).int().min(0).optional(),
  /** Every open stream's token and plan are re-read from the database this often, in seconds. @default 30 */
  STREAM_RECHECK_SECONDS: z.coerce.number({ message: 'must be a number' }).positive().max(3600).default(30),
  /** A stream handshake, or an export request with a token, reuses a token verified this many seconds ago (revocations are pushed); 0 = always read the database. @default 5 */
  STREAM_TOKEN_CACHE_SECONDS: z.coerce.number({ message: 'must be a number' }).min(0).max(60).default(5),
  /** Domains never published (exact or subdomain), comma-separated. */
  NEVER_PUBLISH_DOMAINS: csvList.default([]),
  /** Networks never published, CIDR, comma-separated. */
  NEVER_PUBLISH_NETWORKS: csvList.default([]),
  STRIPE_SECRET_KEY: z.string().min(1).optional(),
  STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
  STRIPE_PRICE_ID: z.string().min(1).optional(),
  /** Override Stripe's API host (tests point it at a local stand-in), e.g. http://127.0.0.1:12111 */
  STRIPE_API_BASE: urlWithProtocols(['http:', 'https:'], 'http://127.0.0.1:12111').optional(),
  /** Webhook called when a job is dead-lettered. */
  ALERT_WEBHOOK_URL: urlWithProtocols(['http:', 'https:'], 'https://hooks.example.com/sluice').optional(),
  /**
   * Reverse proxies in front of Sluice whose X-Forwarded-For entries are believed: `false` (none:
   * the socket's address is the client), `true` (one: the socket's peer), a hop count, or a list of
   * proxy networks (`10.0.0.0/8,loopback`). The client is the rightmost hop that is not a trusted
   * proxy (lib/client-address.ts). Parsed to `false` when off. @default false
   */
  TRUST_PROXY: z
    .string()
    .transform((raw, ctx) => {
      try {
        const trust = parseProxyTrust(raw);
        return trust.hops === 0 && trust.networks.length === 0 ? (false as const) : trust;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .default(false),
  /**
   * Bearer token that /metrics requires. Unset: /metrics answers loopback callers only.
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /**
   * Outgoing mail (verification, password reset, notices): smtp://user:pass@host:587 or smtps://…:465.
   * Unset: mail goes to the local outbox (/admin/outbox, and the log) — embedded mode works out of the box.
   */
  SMTP_URL: urlWithProtocols(['smtp:', 'smtps:'], 'smtp://user:pass@mail.example.com:587').optional(),
  /** The From: of outgoing mail. @default Sluice <sluice@localhost> */
  MAIL_FROM: z.string().min(3).max(200).default('Sluice <sluice@localhost>'),
  /**
   * Days between a user asking to delete their account (on /settings) and the deletion; they can
   * cancel meanwhile. 0 deletes at the next sweep. @default 7
   */
  ACCOUNT_DELETION_COOLING_OFF_DAYS: z.coerce.number({ message: 'must be a number' }).min(0).max(365).default(7),
  /** Run pending migrations at start-up. @default true */
  MIGRATE_ON_START: boolFromEnv.default(true),
  /** Job queue, worker and analyzer settings (lib/jobs/config.ts, docs/workers.md). */
  ...jobsConfigSchema.shape,
  /**
   * Trust settings (lib/trust/config.ts, docs/trust.md), checked here so that a bad value stops
   * start-up: the trust policy reads them again when the first report is ingested.
   */
  ...trustConfigSchema.shape,
  /** Outbound webhook settings (lib/webhooks/config.ts, docs/webhooks.md). */
  ...webhooksConfigSchema.shape,
  /** Federation: hop limit and link leases (lib/federation/config.ts, docs/federation.md). */
  ...federationConfigSchema.shape,
  /** Bulk exports and blocklists (lib/exports/config.ts, docs/exports.md). */
  ...exportsConfigSchema.shape,
  /** Usage recording and the daily request allowance (lib/usage/config.ts, docs/usage.md). */
  ...usageConfigSchema.shape,
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses configuration from an env object; throws ConfigError with one line per bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset" (a common .env habit), not "invalid".
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'config');
      const raw = env[name];
      const shown = raw === undefined ? '' : ` (got ${JSON.stringify(raw.length > 60 ? raw.slice(0, 60) + '…' : raw)})`;
      return `${name}: ${issue.message}${shown}`;
    });
    throw new ConfigError(`Invalid configuration: ${lines.join('; ')}`);
  }
  return result.data;
}

export function publicBaseUrl(config: Config): string {
  return config.NEXTAUTH_URL ?? `http://localhost:${config.PORT}`;
}
