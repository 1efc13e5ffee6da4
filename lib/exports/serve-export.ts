// One export request, from its parts to its answer, without a framework: the HTTP edge
// (server/export-edge.ts) answers /api/v1/exports/{name} with it before Next, and the Next route
// (app/api/v1/exports/[name]/route.ts, used where the edge is off: development) with the same
// function, so both give the same status, headers and bytes.
//
// Per request: the query is parsed to its canonical key (anything not on the list is a 4xx before
// any work), the token (if any) is verified (lib/token-cache.ts when the node installed one: a
// cached row, expiry and allowed networks checked at every use), the rate limit is consumed and
// usage counted, and the body comes from the body cache (lib/exports/get-export.ts): bytes already
// encoded, gzip already made. Nothing here queries the database for an anonymous request.
import { z } from 'zod';
import { parseInput, safeText } from '../http/parse-input';
import { acceptsGzip } from '../http/page-snapshot';
import { addressLimitKey } from '../client-address';
import { consumeApiRequest } from '../plan-limits';
import type { Runtime } from '../runtime';
import type { TokenUse, VerifiedToken } from '../tokens';
import { recordUsage } from '../usage';
import { CONTENT_TYPES } from './formats';
import { getExport, notModified } from './get-export';
import { parseExportRequest } from './parse-export-request';
import { consumeAnonymousExport, resolveExportTier } from './resolve-export-tier';

/** What an export request is made of (header names lower-case). */
export interface ExportRequestParts {
  /** The {name} path segment, decoded. */
  name: string;
  search: URLSearchParams;
  /** The Authorization header, or null when none was sent (lib/exports/resolve-export-tier.ts reads it). */
  authorization: string | null;
  /** Where the request comes from (the address server/http.ts recorded), for allowed networks and the anonymous limit. */
  address: string | null;
  headers: Pick<Headers, 'get'>;
}

export interface ExportAnswer {
  status: number;
  headers: Record<string, string>;
  /** The bytes to send (null for a 304); already gzip-encoded when headers['content-encoding'] says so. */
  body: Buffer | null;
}

export interface ServeExportDeps {
  runtime: Pick<Runtime, 'db' | 'engines' | 'config' | 'logger'>;
  baseUrl: string;
  /** Verifies a token (lib/token-cache.ts restTokenVerifier). */
  verify: (raw: string, use: TokenUse) => Promise<VerifiedToken>;
}

/** Below this a body is sent as is: gzip would save less than its own header costs. */
const GZIP_MIN_BYTES = 1024;

// The checks every /api route makes of its path and query values (app/api/_lib/with-api-token.ts).
const nameSchema = safeText('a path segment').max(4096);
const queryValuesSchema = z.array(safeText('a query value').max(8192)).max(100, 'at most 100 query parameters');

/**
 * The answer to one export request. Throws AppError for refusals that are not rate limits (404
 * unknown export, 400 bad query, 401/403 token); a rate limit is a 429 answer with its headers.
 */
export async function serveExport(deps: ServeExportDeps, req: ExportRequestParts): Promise<ExportAnswer> {
  const { runtime } = deps;
  parseInput(nameSchema, req.name);
  parseInput(queryValuesSchema, [...req.search.keys(), ...req.search.values()]);
  const query = parseExportRequest(req.name, req.search);
  const use: TokenUse = { address: req.address };
  const { tier, auth } = await resolveExportTier(runtime.db.prisma, req.authorization, use, deps.verify);
  const limit = auth
    ? await consumeApiRequest(runtime, auth.user.plan, { tokenId: auth.tokenId, userId: auth.user.id })
    : await consumeAnonymousExport(runtime.engines, runtime.config.EXPORTS_ANONYMOUS_PER_MINUTE, addressLimitKey(req.address));
  if (auth) recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { requests: 1, limited: limit.allowed ? 0 : 1 });
  const limitHeaders: Record<string, string> = 'headers' in limit ? (limit.headers as Record<string, string>) : {};
  if (!limit.allowed) {
    return {
      status: 429,
      headers: { 'content-type': 'application/json', 'retry-after': String(limit.retryAfterSeconds), ...limitHeaders },
      body: Buffer.from(JSON.stringify({ error: { code: limit.code, message: limit.message } })),
    };
  }

  const result = await getExport({ sql: runtime.db.sql, config: runtime.config, baseUrl: deps.baseUrl }, tier, query);
  const headers: Record<string, string> = {
    etag: result.etag,
    'last-modified': result.lastModified.toUTCString(),
    'cache-control': tier === 'free' ? `public, max-age=${runtime.config.EXPORTS_INTERVAL_SECONDS}` : 'private, no-cache',
    vary: 'Authorization, Accept-Encoding',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'ETag, Last-Modified, Sluice-Export-Tier, Sluice-Export-Count',
    'sluice-export-tier': tier,
    'sluice-export-count': String(result.count),
    'sluice-export-as-of': result.snapshot.asOf,
    'x-content-type-options': 'nosniff',
    ...limitHeaders,
  };
  if (notModified(req.headers, result)) return { status: 304, headers, body: null };
  headers['content-type'] = CONTENT_TYPES[query.format];
  if (result.bytes.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers.get('accept-encoding') ?? undefined)) {
    headers['content-encoding'] = 'gzip';
    return { status: 200, headers, body: result.gzip() };
  }
  return { status: 200, headers, body: result.bytes };
}

