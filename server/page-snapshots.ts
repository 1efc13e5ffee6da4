// The public views served from snapshots at the HTTP edge, before Next (docs/threats.md):
// - /threats and its filtered pages: Next renders each canonical view at most once per
//   PUBLIC_SNAPSHOT_INTERVAL_MS (a loopback request carrying this process's secret), and every
//   request gets that HTML with a fresh CSP nonce spliced in (lib/http/page-snapshot.ts). Query
//   strings are ignored (the page reads none); a path that names no view gets the one 404 snapshot;
//   views other than the pinned ones (lib/threats isPinnedThreatsView) share a bounded set of keys
//   and a render budget per interval (SnapshotStore), so nothing a visitor chooses adds renders.
// - /feeds (the catalogue of public feeds; reads no query): one pinned view, the same way.
// - /threats/search: the browse's first page pinned; each search (`?q=` alone) a view of its own in a
//   store with its own bounded keys and render budget (a flood of distinct queries gets 503s, not
//   renders); paging and the filter form's redirect stay with Next.
// - /threats.json and /threats.csv: the page's list, serialised once per regeneration of the view.
// Every response carries a validator (a 304 answers If-None-Match) and gzip precomputed once.
// Each node renders its own snapshots (no Redis): the cost is one render per view per interval per
// node, independent of the request rate.
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { buildContentSecurityPolicy, createNonce } from '../lib/csp';
import { acceptsGzip, assembleSnapshot, assembleSnapshotGzip, etagMatches, prepareSnapshotBody, type SnapshotBody } from '../lib/http/page-snapshot';
import { SnapshotStore } from '../lib/http/snapshot-store';
import type { Runtime } from '../lib/runtime';
import { getThreatsExportSnapshot, isPinnedThreatsView, parseThreatFilters, parseThreatsPath, threatsPath, VISITOR_VIEWS } from '../lib/threats';
import { Counter } from 'prom-client';
import { metricsRegistry } from './metrics';

/** The header that sends a loopback render request past the snapshots, to Next. */
export const SNAPSHOT_RENDER_HEADER = 'x-sluice-snapshot-render';
/** Renders of non-pinned views (rare tags, type + tag) per interval, all together. */
export const VISITOR_RENDERS_PER_INTERVAL = 8;
/** Searches (/threats/search?q=) kept, least recently used out, and their renders per interval, all together. */
export const SEARCH_VIEWS = 200;
export const SEARCH_RENDERS_PER_INTERVAL = 16;
/** A longer `q` is not a search the page runs (SEARCH_MAX_LENGTH is 256 after trimming): Next answers it. */
const SEARCH_KEY_MAX_LENGTH = 512;
/** A path that names no view: rendered once per interval as the 404 of every such path. */
const NOT_FOUND_PATH = '/threats/tag';
/** What a render's response keeps; Next's CSP is replaced per response, cookies are never cached. */
const KEPT_HEADERS = ['content-type', 'vary', 'link', 'x-content-type-options', 'referrer-policy', 'x-frame-options'];

export const snapshotMetrics = {
  renders: new Counter({ name: 'sluice_page_snapshot_renders_total', help: 'Public page snapshots rendered by this node', labelNames: ['kind'], registers: [metricsRegistry] }),
  responses: new Counter({ name: 'sluice_page_snapshot_responses_total', help: 'Responses served from page snapshots', labelNames: ['result'], registers: [metricsRegistry] }),
};

interface PageSnapshot {
  status: number;
  /** The nonce of the render, in the body and in headers such as Link: replaced in every response. */
  renderNonce?: string | null;
  body: SnapshotBody;
  headers: Record<string, string>;
  etag: string;
  lastModified: string;
}

export interface PageSnapshots {
  /** Answers the request from a snapshot and returns true, or returns false (Next answers). */
  handle(req: IncomingMessage, res: ServerResponse, path: string, rawUrl: string): Promise<boolean>;
  /** Where this node's own HTTP server is reached, once it listens. */
  setOrigin(origin: string): void;
}

/** Renders `path` through this node's own server (and so Next), identity-encoded. */
function renderOverLoopback(origin: string, path: string, secret: string): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, origin), { headers: { [SNAPSHOT_RENDER_HEADER]: secret, 'accept-encoding': 'identity' }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('snapshot render timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** The canonical view a /threats path names: its key, the path to render, whether it is pinned. */
async function resolveView(runtime: Runtime, path: string, rawUrl: string): Promise<{ key: string; render: string; pinned: boolean; search?: true } | null> {
  // The feeds catalogue: one view, no query (its data is cached a minute in lib/threats).
  if (path === '/feeds') return { key: '/feeds', render: '/feeds', pinned: true };
  if (path === '/threats/search') return searchView(rawUrl);
  if (path !== '/threats' && !path.startsWith('/threats/')) return null;
  if (path.endsWith('/') || path === '/threats/search' || path.startsWith('/threats/search/')) return null; // Next: a redirect, no render
  const filters = parseThreatsPath(path === '/threats' ? [] : path.slice('/threats/'.length).split('/'));
  if (!filters) return { key: '404', render: NOT_FOUND_PATH, pinned: true };
  const canonical = threatsPath(filters);
  return { key: canonical, render: canonical, pinned: await isPinnedThreatsView(runtime.db.sql, filters) };
}

/**
 * /threats/search: the first page of the browse (no query at all) is one pinned view; a search
 * (exactly one non-empty `q`, nothing else) is a view keyed by its text as typed (the page shows it
 * in the form), in the search store. Anything else (paging with `before`, the filter form's
 * redirect, `_rsc`, a query too long to be a search) is Next's, as before.
 */
function searchView(rawUrl: string): { key: string; render: string; pinned: boolean; search: true } | null {
  const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
  if (query === '') return { key: 'browse', render: '/threats/search', pinned: true, search: true };
  const params = new URLSearchParams(query);
  const names = [...params.keys()];
  const q = params.get('q');
  if (names.length !== 1 || names[0] !== 'q' || !q || q.length > SEARCH_KEY_MAX_LENGTH) return null;
  return { key: `q=${q}`, render: `/threats/search?q=${encodeURIComponent(q)}`, pinned: false, search: true };
}

export function createPageSnapshots(runtime: Runtime): PageSnapshots | null {
  const intervalMs = runtime.config.PUBLIC_SNAPSHOT_INTERVAL_MS;
  if (!intervalMs || runtime.config.NODE_ENV === 'development' || !runtime.roles.includes('web')) return null;
  const secret = randomBytes(24).toString('base64url');
  const log = runtime.logger.child({ module: 'page-snapshots' });
  const pages = new SnapshotStore<PageSnapshot>({ intervalMs, maxVisitorKeys: VISITOR_VIEWS, visitorRendersPerInterval: VISITOR_RENDERS_PER_INTERVAL });
  // Searches have their own keys and budget: a flood of distinct queries cannot take the renders
  // of the /threats views (nor the reverse).
  const searches = new SnapshotStore<PageSnapshot>({ intervalMs, maxVisitorKeys: SEARCH_VIEWS, visitorRendersPerInterval: SEARCH_RENDERS_PER_INTERVAL });
  let origin: string | null = null;

  async function renderPage(path: string, pinned: boolean, key: string): Promise<PageSnapshot> {
    if (!origin) throw new Error('not listening yet');
    snapshotMetrics.renders.inc({ kind: pinned ? 'pinned' : 'visitor' });
    const rendered = await renderOverLoopback(origin, path, secret);
    const expected = key === '404' ? 404 : 200;
    if (rendered.status !== expected) throw new Error(`render of ${path} answered ${rendered.status}`);
    if (rendered.headers['set-cookie']) throw new Error(`render of ${path} set a cookie: not cacheable`);
    // The nonce Next put on its scripts: random, and seen by no one but this process.
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(String(rendered.headers['content-security-policy'] ?? ''))?.[1] ?? null;
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) {
      const value = rendered.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    if (!/accept-encoding/i.test(headers.vary ?? '')) headers.vary = headers.vary ? `${headers.vary}, accept-encoding` : 'accept-encoding';
    const body = prepareSnapshotBody(rendered.body, nonce);
    const now = new Date();
    return { status: rendered.status, renderNonce: nonce, body, headers, etag: `W/"${body.hash}"`, lastModified: now.toUTCString() };
  }

  function send(req: IncomingMessage, res: ServerResponse, snap: PageSnapshot, cacheControl: string, page: boolean) {
    const common = { etag: snap.etag, 'last-modified': snap.lastModified, 'cache-control': cacheControl, vary: snap.headers.vary ?? 'accept-encoding' };
    if (snap.status === 200 && etagMatches(req.headers['if-none-match'], snap.etag)) {
      // No Content-Security-Policy here: the browser keeps the policy stored with its copy, whose
      // nonce is the one in that copy's scripts.
      snapshotMetrics.responses.inc({ result: 'not-modified' });
      res.writeHead(304, common);
      return void res.end();
    }
    snapshotMetrics.responses.inc({ result: 'hit' });
    const nonce = page ? createNonce() : '';
    const headers: Record<string, string> = { ...snap.headers, ...common };
    if (snap.renderNonce) for (const [name, value] of Object.entries(headers)) headers[name] = value.replaceAll(snap.renderNonce, nonce);
    if (page) {
      const proto = String(req.headers['x-forwarded-proto'] ?? '').split(',')[0].trim();
      headers['content-security-policy'] = buildContentSecurityPolicy({ nonce, host: req.headers.host, secure: proto === 'https' });
    }
    const gzip = acceptsGzip(req.headers['accept-encoding']);
    const body = gzip ? assembleSnapshotGzip(snap.body, nonce) : assembleSnapshot(snap.body, nonce);
    if (gzip) headers['content-encoding'] = 'gzip';
    headers['content-length'] = String(body.length);
    res.writeHead(snap.status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handleExport(req: IncomingMessage, res: ServerResponse, rawUrl: string, format: 'json' | 'csv'): Promise<true> {
    const query = rawUrl.includes('?') ? rawUrl.slice(rawUrl.indexOf('?') + 1) : '';
    const filters = parseThreatFilters(new URLSearchParams(query));
    const { body, generatedAt } = await getThreatsExportSnapshot(runtime.db.sql, filters, format);
    const headers: Record<string, string> =
      format === 'json'
        ? { 'content-type': 'application/json', 'access-control-allow-origin': '*', vary: 'accept-encoding', 'x-content-type-options': 'nosniff' }
        : { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="sluice-threats.csv"', 'access-control-allow-origin': '*', vary: 'accept-encoding', 'x-content-type-options': 'nosniff' };
    const maxAge = Math.max(1, Math.round(intervalMs / 1000));
    send(req, res, { status: 200, body, headers, etag: `W/"${body.hash}"`, lastModified: new Date(generatedAt).toUTCString() }, `public, max-age=${maxAge}`, false);
    return true;
  }

  return {
    setOrigin(value) {
      origin = value;
    },
    async handle(req, res, path, rawUrl) {
      if (req.method !== 'GET' && req.method !== 'HEAD') return false;
      if (req.headers[SNAPSHOT_RENDER_HEADER] === secret) return false; // our own render: Next answers
      if (path === '/threats.json') return handleExport(req, res, rawUrl, 'json');
      if (path === '/threats.csv') return handleExport(req, res, rawUrl, 'csv');
      const view = await resolveView(runtime, path, rawUrl);
      if (!view || !origin) return false;
      let result;
      try {
        result = await (view.search ? searches : pages).get(view.key, view.pinned, () => renderPage(view.render, view.pinned, view.key));
      } catch (error) {
        // No snapshot and the render failed (e.g. the database is down): Next answers as it would
        // without snapshots (503 with Retry-After, its error page).
        log.warn({ err: error, view: view.key }, 'page snapshot render failed');
        return false;
      }
      if (result.kind === 'busy') {
        snapshotMetrics.responses.inc({ result: 'busy' });
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '1' });
        res.end('503 too many distinct views requested at once; retry in a second\n');
        return true;
      }
      // Private: a shared cache must not hand one response (and its nonce) to many browsers.
      send(req, res, result.snapshot.value, 'private, no-cache', true);
      return true;
    },
  };
}
