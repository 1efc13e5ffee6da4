// The webhook deliverer of a worker node: every scan it claims endpoints (or renews its leases) in
// PostgreSQL, runs one EndpointRunner per endpoint it holds and stops those it lost; it re-reads the
// registering tokens' stream verdicts in one query (lib/realtime/stream-grants, the stream's own
// backstop) and tails the firehose log once to wake idle runners. With several worker nodes exactly
// one delivers an endpoint at a time; when that node dies its leases lapse and another takes over
// from the stored cursor. Deliveries never run in a web request.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../lib/config';
import type { Database } from '../../lib/db';
import type { Engines } from '../../lib/engines';
import { isUnavailableError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { LogTail } from '../../lib/engines/log/types';
import { findStreamVerdicts } from '../../lib/realtime/stream-grants';
import { webhookSecretKey } from '../../lib/webhooks/secret';
import { EndpointRunner, type RunnerConfig } from './endpoint-runner';
import { claimWebhooks, releaseWebhooks } from './leases';

export interface WebhookDeliveryOptions {
  /** How often leases are claimed and renewed and endpoints re-read, in ms. @default 1000 */
  scanMs?: number;
  /** Most endpoints one node delivers. @default 1000 */
  capacity?: number;
  /** This node's name in leases. @default host:pid:random */
  owner?: string;
}

export interface WebhookDelivery {
  owner: string;
  /** Endpoints this node delivers now. */
  readonly held: string[];
  stop(): Promise<void>;
}

type Deps = {
  config: RunnerConfig & Pick<Config, 'WEBHOOK_LEASE_SECONDS' | 'WEBHOOK_SECRET_KEY' | 'DATA_DIR'>;
  db: Pick<Database, 'sql' | 'prisma'>;
  engines: Pick<Engines, 'log'>;
  logger: Logger;
  version?: string;
};

export function startWebhookDelivery(deps: Deps, options: WebhookDeliveryOptions = {}): WebhookDelivery {
  const scanMs = options.scanMs ?? 1000;
  const capacity = options.capacity ?? 1000;
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const logger = deps.logger.child({ module: 'webhooks', owner });
  const runners = new Map<string, EndpointRunner>();
  const key = webhookSecretKey(deps.config);
  const runnerDeps = {
    sql: deps.db.sql,
    log: deps.engines.log,
    logger,
    config: deps.config,
    key,
    owner,
    userAgent: `Sluice-Webhooks/${deps.version ?? '1'}`,
    idleMs: scanMs,
  };
  let stopped = false;
  let failing = false;
  let tail: LogTail | null = null;

  const scan = async () => {
    try {
      const rows = await claimWebhooks(deps.db.sql, owner, deps.config.WEBHOOK_LEASE_SECONDS, capacity);
      if (stopped) return;
      const verdicts = await findStreamVerdicts(deps.db.prisma, rows.map((r) => r.token_id).filter((t): t is string => t !== null));
      const seen = new Set<string>();
      for (const row of rows) {
        seen.add(row.id);
        let runner = runners.get(row.id);
        if (!runner) {
          runner = new EndpointRunner(row, runnerDeps, (done) => {
            if (runners.get(done.id) === done) runners.delete(done.id);
          });
          runners.set(row.id, runner);
          logger.info({ webhookId: row.id }, 'delivering webhook');
        } else runner.notify(row);
        // A null verdict means the token may stream; a missing token (deleted) counts as revoked.
        runner.verdict = row.token_id && verdicts.has(row.token_id) ? verdicts.get(row.token_id)! : 'token_revoked';
      }
      for (const [id, runner] of runners) if (!seen.has(id)) void runner.stop();
      if (failing) logger.info('webhook scan recovered');
      failing = false;
    } catch (error) {
      if (!failing) logger[isUnavailableError(error) ? 'warn' : 'error']({ err: error }, 'webhook scan failed; retrying');
      failing = true;
    }
  };

  let timer: NodeJS.Timeout | null = null;
  let scanning: Promise<void> = Promise.resolve();
  const loop = () => {
    if (stopped) return;
    scanning = scan().finally(() => {
      if (!stopped) timer = setTimeout(loop, scanMs);
    });
  };
  loop();
  // New events wake the runners at once rather than at their next idle timeout.
  deps.engines.log
    .tail(null, () => {
      for (const runner of runners.values()) runner.wake();
    })
    .then(
      (t) => {
        if (stopped) void t.stop();
        else tail = t;
      },
      (error: unknown) => logger.warn({ err: error }, 'could not tail the log; runners poll instead'),
    );
  logger.info({ scanMs, leaseSeconds: deps.config.WEBHOOK_LEASE_SECONDS }, 'webhook delivery started');

  return {
    owner,
    get held() {
      return [...runners.keys()];
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await scanning;
      await tail?.stop();
      await Promise.all([...runners.values()].map((r) => r.stop()));
      runners.clear();
      await releaseWebhooks(deps.db.sql, owner).catch((error: unknown) => logger.warn({ err: error }, 'could not release webhook leases; they lapse on their own'));
      logger.info('webhook delivery stopped');
    },
  };
}
