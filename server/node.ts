// Starts one Sluice node with its roles and returns how to stop it gracefully.
import { removeAdminHandle, writeAdminHandle } from '../lib/accounts/admin-channel';
import type { Config } from '../lib/config';
import { startControlRelay } from '../lib/control';
import type { Logger } from '../lib/logger';
import { handleAdminRequest, isAdminRequest, isLoopbackAddress } from './admin-channel';
import { createHttpServer, type RequestHandler } from './http';
import { createFirehoseGateway } from './gateway/firehose-gateway';
import { createRealtimeServer } from './gateway/realtime-server';
import { startRelay } from './relay';
import { startWorkers } from './workers';
import { closeJobQueue } from '../lib/jobs';
import { closeRuntime, createRuntime } from './runtime';

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

export async function startNode(config: Config, logger: Logger): Promise<SluiceNode> {
  const runtime = await createRuntime(config, logger);
  const stoppers: (() => Promise<void>)[] = [];
  try {
    const { server, setWebHandler } = createHttpServer(runtime);
    let web: RequestHandler | null = null;
    // Every role answers `sluice admin` (server/admin-channel.ts); other paths go to Next on web nodes.
    setWebHandler((req, res) => {
      if (isAdminRequest(req)) return handleAdminRequest(runtime, req, res);
      if (web) return web(req, res);
      res.writeHead(404, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ error: { code: 'not_found', message: `this node runs roles ${runtime.roles.join(',')}; pages and the API are served by web nodes` } }));
    });

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
    }

    // socket.io serves the public threats stream (web) and the firehose (gateway).
    const realtime = await createRealtimeServer(server, runtime);
    stoppers.push(() => realtime.close());
    // The outbox relay runs on every node; a lock lets exactly one append at a time.
    const relay = startRelay(runtime);
    stoppers.push(() => relay.stop());
    // Announcements (revocations, plan changes) still pending, e.g. made while Redis was down.
    const controlRelay = startControlRelay({ prisma: runtime.db.prisma, engines: runtime.engines, logger });
    stoppers.push(() => controlRelay.stop());
    stoppers.push(() => closeJobQueue());
    if (runtime.roles.includes('worker')) {
      const workers = startWorkers(runtime);
      stoppers.push(() => workers.stop());
    }
    if (runtime.roles.includes('gateway')) {
      const gateway = await createFirehoseGateway(realtime.io, runtime);
      stoppers.push(() => gateway.close());
    }

    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.PORT, config.HOST, () => resolve());
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.PORT;
    const url = `http://localhost:${port}`;
    // Lets `sluice admin` find this process: it owns the embedded database, so the CLI must ask it.
    await writeAdminHandle(config.DATA_DIR, { pid: process.pid, url: adminUrl(config.HOST, port) }).catch((error: unknown) =>
      logger.warn({ err: error }, 'could not write DATA_DIR/admin.json; `sluice admin` will look on PORT'),
    );
    logger.info({ url, roles: runtime.roles, database: runtime.db.kind, engines: runtime.engines.kind }, 'Sluice is listening');

    return {
      url,
      async stop() {
        // Stop accepting, let in-flight requests finish, then close sockets, Next and connections.
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        for (const stopPart of stoppers.reverse()) await stopPart().catch((error: unknown) => logger.error({ err: error }, 'stop failed'));
        server.closeAllConnections();
        await closed;
        await removeAdminHandle(config.DATA_DIR).catch(() => undefined);
        await closeRuntime(runtime);
        logger.info('stopped');
      },
    };
  } catch (error) {
    for (const stopPart of stoppers.reverse()) await stopPart().catch(() => undefined);
    await closeRuntime(runtime);
    throw error;
  }
}
