// Federation on one node (docs/federation.md): on worker nodes, runs the peer links whose lease
// this node holds (one node per link at a time; another takes over when it dies); on every node,
// adds the events in/out it counted to the per-minute rows /admin reads.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { flushPeerCounters } from '../../lib/federation/counters';
import { recordSuggestions } from '../../lib/federation/discovery';
import { getInstanceId } from '../../lib/federation/instance';
import { pruneFederatedEvents } from '../../lib/federation/origins';
import { acquireLinkLease, findRunnableLinks, releaseLinkLease } from '../../lib/federation/lease';
import { ensurePeerFeed, getPeerLink } from '../../lib/federation/links';
import { compileRules } from '../../lib/federation/rules';
import { allowListFromConfig, ingestIndicators, type IngestResult } from '../../lib/ingest';
import { getJobQueue } from '../../lib/jobs';
import { getAnalysisEnqueuer } from '../../lib/jobs/analysis-enqueuer';
import type { Runtime } from '../../lib/runtime';
import { LinkClient, type LinkClientOptions } from './link-client';

export interface FederationOptions {
  /** Run peer links here (worker nodes). */
  runLinks: boolean;
  /** How often leases are taken and renewed, and links looked for. @default a third of FEDERATION_LEASE_SECONDS */
  tickMs?: number;
  /** How often the in/out counters are written. @default 5000 */
  flushMs?: number;
  client?: LinkClientOptions;
}

export interface Federation {
  stop(): Promise<void>;
}

const PRUNE_EVERY_MS = 10 * 60_000;

export function startFederation(runtime: Runtime, options: FederationOptions): Federation {
  const sql = runtime.db.sql;
  const log = runtime.logger.child({ module: 'federation' });
  const leaseSeconds = runtime.config.FEDERATION_LEASE_SECONDS;
  const tickMs = options.tickMs ?? Math.max(500, (leaseSeconds * 1000) / 3);
  const owner = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  const running = new Map<string, LinkClient>();
  let stopped = false;
  let ticking: Promise<void> = Promise.resolve();

  const enqueueAnalysis = (committed: IngestResult) => {
    try {
      getAnalysisEnqueuer(getJobQueue(runtime)).afterCommit(committed);
    } catch (error) {
      log.warn({ err: error }, 'could not enqueue the analysis of events from a peer');
    }
  };
  const ingest = (input: Parameters<typeof ingestIndicators>[1]) =>
    ingestIndicators({ sql, allowList: allowListFromConfig(runtime.config), afterCommit: enqueueAnalysis }, input);

  const stopLink = async (id: string, release: boolean) => {
    const client = running.get(id);
    if (!client) return;
    running.delete(id);
    await client.stop();
    if (release) await releaseLinkLease(sql, id, owner).catch((error: unknown) => log.warn({ err: error }, 'could not release a link lease'));
    log.info({ link: client.name }, 'peer link stopped on this node');
  };

  const startLink = async (id: string, name: string) => {
    const link = await getPeerLink(sql, name);
    if (!link || link.id !== id || !link.token || link.paused) return;
    const [localInstance, systemUserId] = await Promise.all([getInstanceId(sql), ensurePeerFeed(sql, name)]);
    const client = new LinkClient(
      {
        id,
        name,
        owner,
        systemUserId,
        url: link.url,
        token: link.token,
        cursor: link.cursor,
        inboundRules: link.inbound,
        inbound: compileRules(link.inbound),
      },
      {
        sql,
        ingest,
        localInstance,
        maxHops: runtime.config.FEDERATION_MAX_HOPS,
        logger: log,
        report: async ({ connected, error }) => {
          await sql
            .query(
              error
                ? `UPDATE peer_links SET connected = $3, last_error = $4, last_error_at = now() WHERE id = $1::uuid AND lease_owner = $2`
                : `UPDATE peer_links SET connected = $3 WHERE id = $1::uuid AND lease_owner = $2`,
              error ? [id, owner, connected, error.slice(0, 500)] : [id, owner, connected],
            )
            .catch(() => undefined);
        },
        onLeaseLost: () => void stopLink(id, false),
        onIntroductions: async (peers) => {
          const recorded = await recordSuggestions(sql, localInstance, name, peers).catch((error: unknown) => {
            log.warn({ err: error, link: name }, 'could not record the peers introduced by a link');
            return 0;
          });
          if (recorded) log.info({ link: name, recorded }, 'peers introduced by a link (suggested peers: sluice admin peer suggestions)');
        },
      },
      { gossipMs: runtime.config.FEDERATION_GOSSIP_SECONDS * 1000, ...options.client },
    );
    running.set(id, client);
    client.start();
    log.info({ link: name, url: link.url, since: link.cursor }, 'peer link started on this node');
  };

  const tick = async () => {
    // Renew what runs here; stop what this node lost (paused, removed, or taken after a stall).
    for (const [id] of running) {
      const held = await acquireLinkLease(sql, id, owner, leaseSeconds).catch(() => null);
      if (held === false) await stopLink(id, false);
    }
    for (const link of await findRunnableLinks(sql, owner)) {
      if (running.has(link.id) || stopped) continue;
      if (await acquireLinkLease(sql, link.id, owner, leaseSeconds)) await startLink(link.id, link.name);
    }
  };

  let lastFlush = Date.now();
  // Origins past their retention go now and then, on the nodes that run links (where they are claimed).
  let lastPrune = 0;
  const prune = async () => {
    if (!options.runLinks || Date.now() - lastPrune < PRUNE_EVERY_MS) return;
    lastPrune = Date.now();
    const deleted = await pruneFederatedEvents(sql, runtime.config.FEDERATION_ORIGIN_RETENTION_DAYS * 86_400_000).catch((error: unknown) => {
      log.warn({ err: error }, 'could not delete old federated event origins; trying again later');
      return 0;
    });
    if (deleted) log.info({ deleted }, 'deleted federated event origins past their retention');
  };
  const timer = setInterval(() => {
    ticking = ticking.then(async () => {
      if (stopped) return;
      if (options.runLinks) await tick().catch((error: unknown) => log.warn({ err: error }, 'federation tick failed; retrying'));
      await prune();
      if (Date.now() - lastFlush >= (options.flushMs ?? 5000)) {
        lastFlush = Date.now();
        await flushPeerCounters(sql).catch((error: unknown) => log.debug({ err: error }, 'could not write peer counters'));
      }
    });
  }, Math.min(tickMs, options.flushMs ?? 5000));
  timer.unref();
  // The first look at once, not a tick later.
  if (options.runLinks) ticking = ticking.then(() => tick().catch((error: unknown) => log.warn({ err: error }, 'federation tick failed; retrying')));

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await ticking;
      for (const id of [...running.keys()]) await stopLink(id, true);
      await flushPeerCounters(sql).catch(() => undefined);
    },
  };
}
