// Wraps a REST route handler: Bearer token → verified owner, scope and plan checked at use,
// per-token rate limit from the plan, errors mapped once. With a contract (lib/api-contract), the
// scope comes from it, the handler gets a reply() typed by its responses, and the wrapped handler
// carries the contract (tests/unit/api-contract/coverage.test.ts checks every route has one).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import type { ReplyBody, RouteContract, SuccessStatus } from '@/lib/api-contract/define';
import { checkEntitlement, type Action } from '@/lib/entitlements';
import { consumeApiRequest } from '@/lib/plan-limits';
import { getRuntime, type Runtime } from '@/lib/runtime';
import { recordUsage } from '@/lib/usage';
import { parseInput, safeText } from '@/lib/http/parse-input';
import { recordedClientAddress } from '@/lib/client-address';
import { parseBearer, verifyApiToken, type TokenUse, type VerifiedToken } from '@/lib/tokens';
import { errorResponse, jsonError } from './respond';

/** A JSON answer whose status and body the contract allows (typecheck fails otherwise). */
export type Reply<C extends RouteContract> = <S extends SuccessStatus<C>>(status: S, body: ReplyBody<C, S>, init?: { headers?: HeadersInit }) => NextResponse;

export interface ApiContext<Params, C extends RouteContract = RouteContract> {
  auth: VerifiedToken;
  runtime: Runtime;
  params: Params;
  reply: Reply<C>;
}

type RouteContext<Params> = { params: Promise<Params> };

/** The key a wrapped handler carries its contract under (read by tests/unit/api-contract/coverage.test.ts). */
export const ROUTE_CONTRACT = Symbol('sluice.routeContract');
export type ContractedHandler = ((req: Request, context: never) => Promise<Response>) & { [ROUTE_CONTRACT]?: RouteContract };

// Every path segment and query value is text the database can hold (server/http.ts refuses
// malformed encodings first; this is the same rule at the route, for every route alike).
const pathParamsSchema = z.record(z.string(), z.union([safeText('a path segment').max(4096), z.array(safeText('a path segment').max(4096)).max(64)]));
const queryValuesSchema = z.array(safeText('a query value').max(8192)).max(100, 'at most 100 query parameters');

/** The request's Bearer token (the one parser, lib/tokens.ts), or null. */
export function bearerToken(req: Request): string | null {
  return parseBearer(req.headers.get('authorization'));
}

/** Where the request comes from, for a token's allowed networks: the address server/http.ts recorded. */
export function tokenUse(req: Request): TokenUse {
  return { address: recordedClientAddress(req.headers.get('x-forwarded-for')) };
}

function replyFor<C extends RouteContract>(): Reply<C> {
  return (status, body, init) => (body === null ? new NextResponse(null, { status, headers: init?.headers }) : NextResponse.json(body, { status, headers: init?.headers }));
}

function checkRequestValues(params: unknown, req: Request) {
  parseInput(pathParamsSchema, params ?? {});
  const search = new URL(req.url).searchParams;
  parseInput(queryValuesSchema, [...search.keys(), ...search.values()]);
}

export function withApiToken<Params = Record<string, string>, const C extends RouteContract = RouteContract>(
  handler: (req: Request, ctx: ApiContext<Params, C>) => Promise<Response>,
  options: { contract: C } | { scope: Action },
) {
  const contract = 'contract' in options ? options.contract : null;
  const scope = contract ? contract.scope : 'scope' in options ? options.scope : null;
  if (!scope) throw new Error(`withApiToken needs a scope (${contract?.method} ${contract?.path} is public: use withPublicRoute)`);
  const wrapped = async (req: Request, context: RouteContext<Params>): Promise<Response> => {
    try {
      const params = await context.params;
      checkRequestValues(params, req);
      const runtime = getRuntime();
      const auth = await verifyApiToken(runtime.db.prisma, bearerToken(req), tokenUse(req));
      const entitlement = checkEntitlement(auth, scope);
      if (!entitlement.ok) return errorResponse(entitlement.error, req);
      const limit = await consumeApiRequest(runtime, auth.user.plan, { tokenId: auth.tokenId, userId: auth.user.id });
      // Usage (lib/usage): counted in memory, added to the database in batches; never awaited.
      recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { requests: 1, limited: limit.allowed ? 0 : 1 });
      if (!limit.allowed) return jsonError(429, limit.code, limit.message, {}, limit.headers);
      const response = await handler(req, { auth, runtime, params, reply: replyFor<C>() });
      for (const [name, value] of Object.entries(limit.headers)) response.headers.set(name, value);
      return response;
    } catch (error) {
      return errorResponse(error, req);
    }
  };
  return contract ? Object.assign(wrapped, { [ROUTE_CONTRACT]: contract }) : wrapped;
}

/** A route anyone may call (no token): the contract's scope is null; errors are mapped the same way. */
export function withPublicRoute<Params = Record<string, string>, const C extends RouteContract = RouteContract>(
  contract: C,
  handler: (req: Request, ctx: { params: Params; reply: Reply<C> }) => Promise<Response>,
) {
  if (contract.scope !== null) throw new Error(`${contract.method} ${contract.path} needs the "${contract.scope}" scope: use withApiToken`);
  const wrapped = async (req: Request, context: RouteContext<Params>): Promise<Response> => {
    try {
      const params = await context.params;
      checkRequestValues(params, req);
      return await handler(req, { params, reply: replyFor<C>() });
    } catch (error) {
      return errorResponse(error, req);
    }
  };
  return Object.assign(wrapped, { [ROUTE_CONTRACT]: contract });
}

export { NextResponse };
