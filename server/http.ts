// The one HTTP server: request ids and access logs, /api/health and /metrics for every role,
// and Next.js for the web role. socket.io attaches to the same server (server/gateway).
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { clientAddress } from '../lib/client-address';
import { getHealth } from '../lib/health';
import type { Runtime } from '../lib/runtime';
import { metricsRegistry } from './metrics';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

export function createHttpServer(runtime: Runtime): { server: Server; setWebHandler(handler: RequestHandler): void } {
  let webHandler: RequestHandler | null = null;
  const log = runtime.logger.child({ module: 'http' });

  const server = createServer(async (req, res) => {
    // Keep a caller's request id when it is sane, else make one; Next route handlers read it.
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID_RE.test(incoming) ? incoming : randomUUID();
    req.headers['x-request-id'] = requestId;
    // X-Forwarded-For becomes the one client address (lib/client-address.ts: the rightmost hop that is
    // not a trusted proxy), so pages and route handlers, which have no socket, read it from there.
    req.headers['x-forwarded-for'] =
      clientAddress({ remoteAddress: req.socket.remoteAddress, forwardedFor: req.headers['x-forwarded-for'], trust: runtime.config.TRUST_PROXY }) ?? '';
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      const path = (req.url ?? '/').split('?')[0];
      if (path.startsWith('/_next/') || path === '/api/health') return;
      log.info(
        { requestId, method: req.method, path, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      );
    });
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/api/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const report = await getHealth(runtime);
        return sendJson(res, report.status === 'ok' ? 200 : 503, report);
      }
      if (path === '/metrics' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': metricsRegistry.contentType });
        return void res.end(await metricsRegistry.metrics());
      }
      if (webHandler) return await webHandler(req, res);
      return sendJson(res, 404, {
        error: { code: 'not_found', message: `this node runs roles ${runtime.roles.join(',')}; pages and the API are served by web nodes` },
      });
    } catch (error) {
      log.error({ err: error, requestId }, 'unhandled request error');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error', requestId } });
      else res.destroy();
    }
  });
  return {
    server,
    setWebHandler(handler) {
      webHandler = handler;
    },
  };
}
