// The exports and blocklists (GET/HEAD /api/v1/exports/{name}) answered at the HTTP edge, before
// Next (docs/exports.md): the same function as the Next route (lib/exports/serve-export.ts), without
// Next's per-request routing, request and response objects and on-the-fly compression. The body is
// bytes made once per snapshot and key (gzip too); a token is verified through the node's REST token
// cache (lib/token-cache.ts); rate limits and usage are counted as before. Anything else under the
// path (the list /api/v1/exports, another method, a nested path) goes on to Next.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter } from 'prom-client';
import { recordedClientAddress } from '../lib/client-address';
import { publicBaseUrl } from '../lib/config';
import { isAppError } from '../lib/errors';
import { serveExport } from '../lib/exports/serve-export';
import type { Runtime } from '../lib/runtime';
import { restTokenVerifier } from '../lib/token-cache';
import { metricsRegistry } from './metrics';

const PREFIX = '/api/v1/exports/';
/** What Next adds to every answer (next.config.js headers()); the edge adds the same. */
const SITE_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'x-frame-options': 'DENY' };

const exportResponses = new Counter({
  name: 'sluice_export_edge_responses_total',
  help: 'Export requests answered at the HTTP edge, by status',
  labelNames: ['status'],
  registers: [metricsRegistry],
});

export interface ExportEdge {
  /** Answers an export request and returns true, or returns false (Next answers). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, rawUrl: string): Promise<boolean>;
}

/** A header's one value (the first when repeated), or null. */
function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

export function createExportEdge(runtime: Runtime): ExportEdge | null {
  if (runtime.config.NODE_ENV === 'development' || !runtime.roles.includes('web')) return null;
  const deps = { runtime, baseUrl: publicBaseUrl(runtime.config), verify: restTokenVerifier(runtime.db.prisma) };

  return {
    async handle(req, res, path, rawUrl) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (!path.startsWith(PREFIX)) return false;
      const segment = path.slice(PREFIX.length);
      if (!segment || segment.includes('/')) return false;
      const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
      // server/http.ts has refused targets that do not decode (requestTargetProblem) before this.
      const name = decodeURIComponent(segment);
      const requestHeaders = { get: (n: string) => header(req, n.toLowerCase()) };
      let answer;
      try {
        answer = await serveExport(deps, {
          name,
          search: new URLSearchParams(query),
          authorization: header(req, 'authorization'),
          address: recordedClientAddress(req.headers['x-forwarded-for']),
          headers: requestHeaders,
        });
      } catch (error) {
        // Refusals in the API's shape (as the route's errorResponse); anything else (a dependency
        // down: 503; a bug: 500) is server/http.ts's to answer.
        if (!isAppError(error) || error.code === 'unavailable') throw error;
        exportResponses.inc({ status: String(error.status) });
        const body = JSON.stringify(error.toJSON());
        res.writeHead(error.status, { ...SITE_HEADERS, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
        return true;
      }
      exportResponses.inc({ status: String(answer.status) });
      const headers: Record<string, string> = { ...SITE_HEADERS, ...answer.headers };
      if (answer.body) headers['content-length'] = String(answer.body.length);
      res.writeHead(answer.status, headers);
      res.end(req.method === 'HEAD' || !answer.body ? undefined : answer.body);
      return true;
    },
  };
}
