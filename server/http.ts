// The one HTTP server: request ids and access logs, /api/health and /metrics for every role,
// and Next.js for the web role. socket.io attaches to the same server (server/gateway).
//
// It is also the edge every request crosses before Next: a target that does not decode to text
// (malformed `%`, invalid UTF-8, NUL) is a 400 here; every body is bounded (413); a server action
// from another origin is refused (403); and what Next answers on /api in another shape than
// `{ error: { code, message } }` (its HTML 404, its empty 405) is rewritten to that shape (the TAXII
// shape under /taxii2). Longer than 300 lines because the edge is one ordered pipeline: splitting
// its checks across files would hide the order they run in.
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { clientAddress } from '../lib/client-address';
import { isUnavailableError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../lib/errors';
import { getHealth } from '../lib/health';
import { bodyLimitFor } from '../lib/http/body-limits';
import { requestTargetProblem } from '../lib/http/request-target';
import { takeUnavailable } from '../lib/http/unavailable-requests';
import { bodyTooLarge } from '../lib/http/read-body';
import type { Runtime } from '../lib/runtime';
import { metricsRegistry } from './metrics';
import { parseBearer } from '../lib/tokens';
import { isTaxiiPath, taxiiEdgeError, taxiiRoutePath } from '../lib/taxii/errors';
import type { PageSnapshots } from './page-snapshots';
import type { ExportEdge } from './export-edge';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

const REQUEST_ID_RE = /^[\w.-]{1,64}$/;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** The methods Next.js routes; any other is refused here with 405. */
const ROUTABLE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH', 'DELETE']);

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers });
  res.end(`${text}\n`);
}

/** An error in the shape of the path: JSON on /api, a short text page elsewhere. */
function sendError(res: ServerResponse, isApi: boolean | 'taxii', status: number, code: string, message: string, headers: Record<string, string> = {}) {
  if (isApi === 'taxii') {
    const { contentType, body } = taxiiEdgeError(status, message, code);
    res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store', ...headers });
    return void res.end(body);
  }
  if (isApi) sendJson(res, status, { error: { code, message } }, headers);
  else sendText(res, status, `${status} ${message}`, headers);
}

const CODE_BY_STATUS: Record<number, [string, string]> = {
  400: ['bad_request', 'the request is malformed'],
  401: ['unauthenticated', 'authentication required'],
  403: ['forbidden', 'not allowed'],
  404: ['not_found', 'no such API route; see /docs for the API'],
  405: ['method_not_allowed', 'this method is not allowed on this route'],
  413: ['body_too_large', 'the request body is too large'],
  415: ['unsupported_media_type', 'unsupported content type'],
  503: ['unavailable', 'a service Sluice depends on is unavailable; retry shortly'],
};

// Headers worth keeping when a response is replaced; everything Next set for its own body goes.
const KEPT_HEADERS = new Set(['x-request-id', 'allow', 'retry-after', 'content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options']);

type Replacement = { status: number; contentType: string; body: string; headers?: Record<string, string> };

const UNAVAILABLE_MESSAGE = 'a service Sluice depends on is unavailable; retry shortly';

function unavailableReplacement(isApi: boolean): Replacement {
  const headers = { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
  return isApi
    ? { status: 503, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: { code: 'unavailable', message: UNAVAILABLE_MESSAGE } }), headers }
    : { status: 503, contentType: 'text/plain; charset=utf-8', body: `503 Sluice is briefly unavailable (${UNAVAILABLE_MESSAGE}).\n`, headers };
}

/**
 * Lets `decide` replace a response at the moment its head would be sent (by writeHead, or the
 * first write/end). What the handler writes afterwards is discarded.
 */
function interceptResponse(req: IncomingMessage, res: ServerResponse, decide: (status: number, contentType: string) => Replacement | null) {
  const original = { writeHead: res.writeHead, write: res.write, end: res.end };
  let state: 'open' | 'pass' | 'replace' = 'open';
  let replacement: Replacement | null = null;

  const start = (status: number, contentType: string) => {
    replacement = decide(status, contentType);
    if (!replacement) return void (state = 'pass');
    state = 'replace';
    for (const name of res.getHeaderNames()) if (!KEPT_HEADERS.has(name)) res.removeHeader(name);
    original.writeHead.call(res, replacement.status, {
      'content-type': replacement.contentType,
      'content-length': String(Buffer.byteLength(replacement.body)),
      'cache-control': 'no-store',
      ...replacement.headers,
    });
  };
  const headerContentType = (args: unknown[]) => {
    const headers = args.find((a) => typeof a === 'object' && a !== null && !Array.isArray(a)) as Record<string, unknown> | undefined;
    const fromArgs = headers && Object.entries(headers).find(([k]) => k.toLowerCase() === 'content-type')?.[1];
    return String(fromArgs ?? res.getHeader('content-type') ?? '');
  };

  res.writeHead = function writeHead(this: ServerResponse, status: number, ...args: unknown[]) {
    if (state === 'open') start(status, headerContentType(args));
    if (state === 'pass') return (original.writeHead as (...a: unknown[]) => ServerResponse).call(this, status, ...args);
    return this;
  } as ServerResponse['writeHead'];
  res.write = function write(this: ServerResponse, ...args: unknown[]) {
    if (state === 'open' && !res.headersSent) start(res.statusCode, String(res.getHeader('content-type') ?? ''));
    if (state !== 'replace') return (original.write as (...a: unknown[]) => boolean).apply(this, args);
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  } as ServerResponse['write'];
  let ended = false;
  res.end = function end(this: ServerResponse, ...args: unknown[]) {
    if (state === 'open' && !res.headersSent) start(res.statusCode, String(res.getHeader('content-type') ?? ''));
    if (state !== 'replace') return (original.end as (...a: unknown[]) => ServerResponse).apply(this, args);
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    if (ended) return void cb?.(), this;
    ended = true;
    return (original.end as (...a: unknown[]) => ServerResponse).call(this, req.method === 'HEAD' ? undefined : replacement!.body, cb);
  } as ServerResponse['end'];
}

/** The server-action request's Origin, when it names another host than the request's own. */
function foreignOrigin(req: IncomingMessage): string | null {
  const origin = req.headers.origin;
  if (origin === undefined) return null; // same-origin fetches and old browsers; Next allows these too
  const forwarded = req.headers['x-forwarded-host'];
  const host = (typeof forwarded === 'string' && forwarded ? forwarded.split(',')[0].trim() : req.headers.host) ?? '';
  try {
    return new URL(origin).host === host ? null : origin;
  } catch {
    return origin;
  }
}

/**
 * Counts the body's bytes as they arrive (the parser pushes each chunk into the request) and
 * calls `onExceeded` once when they pass `limit`; later chunks are dropped.
 */
function boundBody(req: IncomingMessage, limit: number, onExceeded: () => void) {
  let seen = 0;
  let exceeded = false;
  const push = req.push.bind(req);
  req.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk !== null && chunk !== undefined) {
      seen += typeof chunk === 'string' ? Buffer.byteLength(chunk) : (chunk as Uint8Array).byteLength;
      if (seen > limit) {
        if (!exceeded) {
          exceeded = true;
          onExceeded();
        }
        return false;
      }
    }
    return push(chunk, encoding);
  };
}

function bearerMatches(header: string | undefined, secret: string): boolean {
  const token = parseBearer(header);
  if (!token) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function createHttpServer(runtime: Runtime): {
  server: Server;
  setWebHandler(handler: RequestHandler): void;
  setPageSnapshots(snapshots: PageSnapshots | null): void;
  setExportEdge(edge: ExportEdge | null): void;
} {
  let webHandler: RequestHandler | null = null;
  let pageSnapshots: PageSnapshots | null = null;
  let exportEdge: ExportEdge | null = null;
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
    // A handler writing after a 413 already ended the response must not crash the process.
    res.on('error', (error) => log.debug({ err: error, requestId }, 'response error'));
    const rawUrl = req.url ?? '/';
    const path = rawUrl.split('?')[0];
    // TAXII 2.1 (docs/taxii.md) is API-like: its errors take the TAXII shape, here and from Next.
    const isApi: boolean | 'taxii' = path === '/api' || path.startsWith('/api/') || (isTaxiiPath(path) && 'taxii');
    const started = performance.now();
    res.on('finish', () => {
      if (path.startsWith('/_next/') || path === '/api/health') return;
      log.info(
        { requestId, method: req.method, path: path.slice(0, 512), status: res.statusCode, ms: Math.round(performance.now() - started) },
        'request',
      );
    });
    try {
      const problem = requestTargetProblem(rawUrl);
      if (problem) return sendError(res, isApi, 400, 'bad_request', problem);
      // Next throws (a 500) on a method it cannot route (TRACE, CONNECT, WebDAV's PROPFIND…).
      if (!ROUTABLE_METHODS.has(req.method ?? '')) {
        return sendError(res, isApi, 405, 'method_not_allowed', `${String(req.method).slice(0, 32)} is not supported`, { allow: [...ROUTABLE_METHODS].join(', ') });
      }

      const isServerAction = req.method === 'POST' && !isApi && !path.startsWith('/_next/');
      if (isServerAction) {
        const origin = foreignOrigin(req);
        if (origin !== null) return sendText(res, 403, '403 cross-origin form submission refused');
      }

      const limit = bodyLimitFor(path, isServerAction);
      const tooLarge = bodyTooLarge(limit);
      const declared = req.headers['content-length'];
      if (declared !== undefined && Number(declared) > limit) {
        // Up to 16 MB the rest of the body is read and discarded (Node does it once the answer is
        // sent), so that the client, still writing, gets the 413 instead of a broken pipe; beyond,
        // the connection is closed rather than read.
        const drain = Number(declared) <= 16 * 1024 * 1024;
        return sendError(res, isApi, 413, tooLarge.code, tooLarge.message, drain ? {} : { connection: 'close' });
      }
      boundBody(req, limit, () => {
        if (!res.headersSent) sendError(res, isApi, 413, tooLarge.code, tooLarge.message, { connection: 'close' });
        // Whatever was reading the body gets an error, not a hang; the client gets the 413 first.
        res.once('finish', () => req.destroy());
        if (res.headersSent && res.writableFinished) req.destroy();
      });

      if (path === '/api/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        const report = await getHealth(runtime);
        return sendJson(res, report.status === 'ok' ? 200 : 503, report);
      }
      if (path === '/metrics' && req.method === 'GET') {
        // Operators only: with METRICS_TOKEN, its Bearer; without, loopback callers only.
        const token = runtime.config.METRICS_TOKEN;
        if (token ? !bearerMatches(req.headers.authorization, token) : !LOOPBACK.has(req.socket.remoteAddress ?? '')) {
          return sendText(res, token ? 401 : 403, token ? '401 send Authorization: Bearer <METRICS_TOKEN>' : '403 /metrics answers loopback callers only (set METRICS_TOKEN)', token ? { 'www-authenticate': 'Bearer' } : {});
        }
        res.writeHead(200, { 'content-type': metricsRegistry.contentType });
        return void res.end(await metricsRegistry.metrics());
      }
      // The public views: served from a snapshot rendered once per interval (server/page-snapshots.ts).
      if (pageSnapshots && webHandler && (await pageSnapshots.handle(req, res, path, rawUrl))) return;
      // The exports: the same answer as their Next route, from bytes made once per snapshot (server/export-edge.ts).
      if (exportEdge && webHandler && (await exportEdge.handle(req, res, path, rawUrl))) return;
      if (webHandler) {
        if (isApi === 'taxii') {
          req.url = taxiiRoutePath(rawUrl);
          interceptResponse(req, res, (status, contentType) => {
            if (status >= 500 && takeUnavailable(requestId)) return { ...taxiiEdgeError(503, UNAVAILABLE_MESSAGE, 'unavailable'), status: 503, headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } };
            if (status < 400 || /^application\/taxii\+json/i.test(contentType)) return null;
            const [code, message] = CODE_BY_STATUS[status] ?? (status >= 500 ? ['internal', 'internal error'] : ['bad_request', 'the request was refused']);
            return { status, ...taxiiEdgeError(status, status === 404 ? 'no such TAXII resource; start at /taxii2/' : message, code) };
          });
        } else if (isApi) {
          // Next's own answers on /api (unknown path: its HTML 404; wrong method: an empty 405;
          // its plain-text 500) become the API's error shape.
          interceptResponse(req, res, (status, contentType) => {
            if (status >= 500 && takeUnavailable(requestId)) return unavailableReplacement(true);
            if (status < 400 || /^application\/json/i.test(contentType)) return null;
            const [code, message] = CODE_BY_STATUS[status] ?? (status >= 500 ? ['internal', 'internal error; the request id identifies it in the server logs'] : ['bad_request', 'the request was refused']);
            return { status, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ error: { code, message } }) };
          });
        } else if (isServerAction) {
          // Next answers 500 to a server action it cannot decode (a hand-made body; its own TODO in
          // action-handler.js). Our actions return their failures as values (app/_lib/action.ts),
          // so a 500 here is Next refusing the request: the client's fault, a 400.
          interceptResponse(req, res, (status) => {
            if (status < 500) return null;
            if (takeUnavailable(requestId)) return unavailableReplacement(false);
            log.warn({ requestId, path }, 'server action request refused by Next (malformed)');
            return { status: 400, contentType: 'text/plain; charset=utf-8', body: '400 malformed form submission\n' };
          });
        } else {
          // A page that failed because the database is down: 503 with Retry-After, not a 500.
          interceptResponse(req, res, (status) => (status >= 500 && takeUnavailable(requestId) ? unavailableReplacement(false) : null));
        }
        return await webHandler(req, res);
      }
      return sendJson(res, 404, {
        error: { code: 'not_found', message: `this node runs roles ${runtime.roles.join(',')}; pages and the API are served by web nodes` },
      });
    } catch (error) {
      if (isUnavailableError(error)) {
        log.warn({ err: error, requestId }, 'dependency unavailable');
        if (!res.headersSent) {
          return sendError(res, isApi, 503, 'unavailable', 'a service Sluice depends on is unavailable; retry shortly', {
            'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS),
          });
        }
        return void res.destroy();
      }
      log.error({ err: error, requestId }, 'unhandled request error');
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'internal', message: 'internal error', requestId } });
      else res.destroy();
    }
  });
  // Idle keep-alive connections outlive a client's or a load balancer's reuse window (typically
  // 4 s for Node's fetch, 60 s for proxies): with Node's 5 s default, a client reusing a socket just
  // as the server closed it gets "other side closed" on a request it never saw answered.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  // What Node's parser refuses before any handler runs (a 1 MB URL: 431; a broken request line:
  // 400) gets the same shapes: JSON when the request line names an /api path.
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket) => {
    if (!socket.writable || (error.code !== 'HPE_HEADER_OVERFLOW' && error.code !== 'HPE_INVALID_URL' && error.code !== 'HPE_INVALID_METHOD' && error.code !== 'HPE_INVALID_HEADER_TOKEN')) {
      return void socket.destroy();
    }
    const overflow = error.code === 'HPE_HEADER_OVERFLOW';
    const status = overflow ? 431 : 400;
    const message = overflow ? 'the request line and headers are too large (16 KB at most)' : 'the request is malformed';
    const isApi = /^[A-Z]+ \/api(\/|\s|\?)/.test(error.rawPacket?.subarray(0, 64).toString('latin1') ?? '');
    const body = isApi ? JSON.stringify({ error: { code: overflow ? 'request_too_large' : 'bad_request', message } }) : `${status} ${message}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${overflow ? 'Request Header Fields Too Large' : 'Bad Request'}\r\nconnection: close\r\n` +
        `content-type: ${isApi ? 'application/json' : 'text/plain'}; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
  return {
    server,
    setWebHandler(handler) {
      webHandler = handler;
    },
    setPageSnapshots(snapshots) {
      pageSnapshots = snapshots;
    },
    setExportEdge(edge) {
      exportEdge = edge;
    },
  };
}
