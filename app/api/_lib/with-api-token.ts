// Wraps a REST route handler: Bearer token → verified owner, scope and plan checked at use,
// per-token rate limit from the plan, errors mapped once.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { checkEntitlement, type Action } from '@/lib/entitlements';
import { consumeApiRequest } from '@/lib/plan-limits';
import { getRuntime, type Runtime } from '@/lib/runtime';
import { parseInput, safeText } from '@/lib/http/parse-input';
import { parseBearer, verifyApiToken, type VerifiedToken } from '@/lib/tokens';
import { errorResponse, jsonError } from './respond';

export interface ApiContext<Params> {
  auth: VerifiedToken;
  runtime: Runtime;
  params: Params;
}

type RouteContext<Params> = { params: Promise<Params> };

// Every path segment and query value is text the database can hold (server/http.ts refuses
// malformed encodings first; this is the same rule at the route, for every route alike).
const pathParamsSchema = z.record(z.string(), z.union([safeText('a path segment').max(4096), z.array(safeText('a path segment').max(4096)).max(64)]));
const queryValuesSchema = z.array(safeText('a query value').max(8192)).max(100, 'at most 100 query parameters');

/** The request's Bearer token (the one parser, lib/tokens.ts), or null. */
export function bearerToken(req: Request): string | null {
  return parseBearer(req.headers.get('authorization'));
}

export function withApiToken<Params = Record<string, string>>(
  handler: (req: Request, ctx: ApiContext<Params>) => Promise<Response>,
  options: { scope: Action },
) {
  return async (req: Request, context: RouteContext<Params>): Promise<Response> => {
    try {
      const params = await context.params;
      parseInput(pathParamsSchema, params ?? {});
      const search = new URL(req.url).searchParams;
      parseInput(queryValuesSchema, [...search.keys(), ...search.values()]);
      const runtime = getRuntime();
      const auth = await verifyApiToken(runtime.db.prisma, bearerToken(req));
      const entitlement = checkEntitlement(auth, options.scope);
      if (!entitlement.ok) return errorResponse(entitlement.error, req);
      const limit = await consumeApiRequest(runtime.engines, auth.user.plan, auth.tokenId);
      if (!limit.allowed) return jsonError(429, limit.code, limit.message, {}, { 'retry-after': String(limit.retryAfterSeconds) });
      const response = await handler(req, { auth, runtime, params });
      response.headers.set('x-ratelimit-remaining', String(limit.remaining));
      return response;
    } catch (error) {
      return errorResponse(error, req);
    }
  };
}

export { NextResponse };
