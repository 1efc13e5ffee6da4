// Starts one Sluice node with its roles and returns how to stop it gracefully.
import { removeAdminHandle, writeAdminHandle } from '../lib/accounts/admin-channel';
import type { Config } from '../lib/config';
import { startControlRelay } from '../lib/control';
import type { Logger } from '../lib/logger';
import { handleAdminRequest, isAdminRequest, isLoopbackAddress } from './admin-channel';
import { createHttpServer, type RequestHandler } from './http';
import { createPageSnapshots } from './page-snapshots';
import { createExportEdge } from './export-edge';
import { startNodeTokenCache } from '../lib/token-cache';
import { setThreatsViewTtl } from '../lib/threats';
import { createFirehoseGateway } from './gateway/firehose-gateway';
import { HTTP_STREAM_PATH } from '../lib/realtime/protocol';
import { createRealtimeServer } from './gateway/realtime-server';
import { startMdnsDiscovery } from './federation/mdns';
import { startFederation } from './federation/runner';
import { startRelay } from './relay';
import { startWorkers } from './workers';
import { startWebhookDelivery } from './webhooks';
import './workers/enqueuer-metrics';
import { closeJobQueue } from '../lib/jobs';
import { closeUsageRecorder } from '../lib/usage';
import { closeRuntime, createRuntime } from './runtime';
import { warmWarningLists } from '../lib/trust/warm';
import { warmEnrichment } from '../lib/enrichment/warm';

export interface SluiceNode {
  url: string;
  stop(): Promise<void>;
}

/** Where `sluice admin` on this machine reaches this node: loopback unless HOST names one address. */
function adminUrl(host: string, port: number): string {
  const wildcard = ['0.0.0.0', '::', '[::]', 'localhost'].includes(host) || isLoopbackAddress(host);
  if (wildcard) return `http://127.0.0.1:${port}`;
  return `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
}

export interface StartNodeOptions {
  /** How long a stop waits for in-flight requests before closing their connections. @default 10000 */
  drainMs?: number;
}

export async function startNode(config: Config, logger: Logger, options: StartNodeOptions = {}): Promise<SluiceNode> {
  const drainMs = options.drainMs ?? 10_000;
  const runtime = await createRuntime(config, logger);
  // The public views' data is as fresh as their page snapshots (server/page-snapshots.ts).
  if (config.PUBLIC_SNAPSHOT_INTERVAL_MS) setThreatsViewTtl(config.PUBLIC_SNAPSHOT_INTERVAL_MS);
  await warmWarningLists(runtime); // docs/trust.md: compiled once here, not on the first submission
  // docs/enrichment.md: nodes that write events or answer /check look IPs up; opened once, here.
  if (runtime.roles.includes('web') || runtime.roles.includes('worker')) warmEnrichment(runtime.logger);
  // Background parts, stopped after the HTTP drain in reverse order of start.
  const stoppers: (() => Promise<void>)[] = [];
  let realtime: Awaited<ReturnType<typeof createRealtimeServer>> | null = null;
  let gateway: Awaited<ReturnType<typeof createFirehoseGateway>> | null = null;
  try {
    const { server, setWebHandler, setPageSnapshots, setExportEdge } = createHttpServer(runtime);
    const pageSnapshots = createPageSnapshots(runtime);
    let web: RequestHandler | null = null;
    // Every role answers `sluice admin` (server/admin-channel.ts); other paths go to Next on web nodes.
    setWebHandler((req, res) => {
      if (isAdminRequest(req)) return handleAdminRequest(runtime, req, res);
      // The firehose over HTTP (SSE / NDJSON) is served by gateway nodes, beside socket.io.
      if ((req.url ?? '').split('?')[0] === HTTP_STREAM_PATH) {
        if (gateway) return gateway.httpStreams.handle(req, res);
        res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        return void res.end(JSON.stringify({ error: { code: 'not_found', message: `this node runs roles ${runtime.roles.join(',')}; ${HTTP_STREAM_PATH} is served by gateway nodes` } }));
      }
      if (web) return web(req, res);
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `this node runs roles ${runtime.roles.join(',')}; pages and the API are served by web nodes` } }));
    });

    // Verified tokens are cached a few seconds, dropped on every control message (lib/token-cache.ts):
    // one cache per node for the gateway's handshakes and the exports at the edge.
    if (runtime.roles.includes('web') || runtime.roles.includes('gateway')) {
      stoppers.push(
        await startNodeTokenCache({ prisma: runtime.db.prisma, engines: runtime.engines, logger, ttlMs: config.STREAM_TOKEN_CACHE_SECONDS * 1000 }),
      );
    }

    if (runtime.roles.includes('web')) {
      const { default: next } = await import('next');
      const dev = config.NODE_ENV === 'development';
      // Passing httpServer lets Next attach its own upgrade handler (HMR) beside socket.io's.
      const app = next({ dev, hostname: config.HOST, port: config.PORT, httpServer: server, dir: process.cwd() });
      await app.prepare();
      const handle = app.getRequestHandler();
      web = (req, res) => handle(req, res);
      stoppers.push(async () => {
        await app.close?.();
      });
      // The exports are answered before Next, their tokens through the node's cache (below).
      setExportEdge(createExportEdge(runtime));
    }

    // socket.io serves the public threats stream (web) and the firehose (gateway).
    realtime = await createRealtimeServer(server, runtime);
    const io = realtime.io;
    // The outbox relay runs on every node; a lock lets exactly one append at a time.
    const relay = startRelay(runtime);
    // Announcements (revocations, plan changes) still pending, e.g. made while Redis was down.
    const controlRelay = startControlRelay({ prisma: runtime.db.prisma, engines: runtime.engines, logger });
    // Stopped after the HTTP drain, in this order (pushed in reverse).
    stoppers.push(() => controlRelay.stop());
    stoppers.push(() => relay.stop());
    stoppers.push(() => closeJobQueue()); // flushes the analysis enqueuer first
    stoppers.push(() => closeUsageRecorder()); // after the last request and stream: adds the buffered usage
    if (runtime.roles.includes('worker')) {
      const workers = startWorkers(runtime);
      stoppers.push(() => workers.stop());
      const webhooks = startWebhookDelivery(runtime);
      stoppers.push(() => webhooks.stop());
    }
    if (runtime.roles.includes('gateway')) gateway = await createFirehoseGateway(io, runtime);
    // Peer links run on worker nodes (one node per link, by lease); every node counts events in/out.
    const federation = startFederation(runtime, { runLinks: runtime.roles.includes('worker') });
    stoppers.push(() => federation.stop());

    // While draining, every response tells its client to close the connection, so busy keep-alive
    // connections end after their current request instead of holding the shutdown open.
    let draining = false;
    server.prependListener('request', (_req, res) => {
      if (draining) res.setHeader('connection', 'close');
    });

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const url = `http://localhost:${port}`;
    // Snapshots render through this server (loopback), so they start once it listens.
    if (pageSnapshots) {
      pageSnapshots.setOrigin(adminUrl(config.HOST, port));
      setPageSnapshots(pageSnapshots);
    }
    // Local-network discovery (FEDERATION_MDNS, off by default): suggestions only, on worker nodes.
    if (config.FEDERATION_MDNS && runtime.roles.includes('worker')) {
      const mdns = await startMdnsDiscovery(runtime, port).catch((error: unknown) => {
        logger.warn({ err: error }, 'mDNS discovery could not start; continuing without it');
        return null;
      });
      if (mdns) stoppers.push(() => mdns.stop());
    }
    // Lets `sluice admin` find this process: it owns the embedded database, so the CLI must ask it.
    await writeAdminHandle(config.DATA_DIR, { pid: process.pid, url: adminUrl(config.HOST, port) }).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not write DATA_DIR/admin.json; `sluice admin` will look on PORT'),
    );
    logger.info({ url, roles: runtime.roles, database: runtime.db.kind, engines: runtime.engines.kind }, 'Sluice is listening');

    return {
      url,
      async stop() {
        const started = Date.now();
        const step = (what: string, run: () => Promise<unknown>) =>
          run().catch((error: unknown) => logger.error({ err: error, step: what }, 'stop step failed'));
        // 1. Stop accepting connections; close idle keep-alive ones now and the busy ones after
        //    their response (Connection: close); in-flight requests finish.
        draining = true;
        const httpClosed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const sweep = setInterval(() => server.closeIdleConnections(), 100);
        // 2. Streams end with server_shutdown (clients resume on another node); socket.io closes.
        if (gateway) await step('gateway', () => gateway!.close());
        const drained = Promise.all([httpClosed, realtime!.close()]).then(() => true);
        const inTime = await Promise.race([drained, new Promise<false>((resolve) => setTimeout(() => resolve(false), drainMs).unref())]);
        clearInterval(sweep);
        if (!inTime) {
          logger.warn({ drainMs }, 'requests still running after the drain period; closing their connections');
          server.closeAllConnections();
          await drained;
        }
        logger.info({ ms: Date.now() - started }, 'HTTP drained');
        // 3. Background work, after the last request: what was accepted is enqueued and relayed.
        for (const stopPart of stoppers.reverse()) await step('background', stopPart);
        await removeAdminHandle(config.DATA_DIR).catch(() => undefined);
        await closeRuntime(runtime);
        logger.info({ ms: Date.now() - started }, 'stopped');
      },
    };
  } catch (error) {
    await gateway?.close().catch(() => undefined);
    await realtime?.close().catch(() => undefined);
    for (const stopPart of stoppers.reverse()) await stopPart().catch(() => undefined);
    await closeRuntime(runtime);
    throw error;
  }
}
