// Wraps a TAXII 2.1 route handler: HTTP Basic (the API token as the password) or Bearer → verified
// token with the `read` scope (401 / 403 as TAXII 2.1 §1.6.6 says), the Accept header (406), the
// plan's rate limit, and every failure in the TAXII error shape with the TAXII media type.
import { z } from 'zod';
import { checkEntitlement } from '@/lib/entitlements';
import { isAppError, isUnavailableError, UNAVAILABLE_RETRY_AFTER_SECONDS } from '@/lib/errors';
import { parseInput, safeText } from '@/lib/http/parse-input';
import { consumeApiRequest } from '@/lib/plan-limits';
import { recordUsage } from '@/lib/usage';
import { getRuntime, type Runtime } from '@/lib/runtime';
import { getStixInstance } from '@/lib/stix';
import { defaultTrustPolicy } from '@/lib/trust/policy';
import { acceptsTaxii, taxiiErrorBody, taxiiToken, TAXII_MEDIA_TYPE, TAXII_WWW_AUTHENTICATE, type TaxiiContext } from '@/lib/taxii';
import { verifyApiToken, type VerifiedToken } from '@/lib/tokens';
import { tokenUse } from '@/app/api/_lib/with-api-token';

export interface TaxiiRouteContext<Params> {
  auth: VerifiedToken;
  runtime: Runtime;
  params: Params;
  taxii: TaxiiContext;
  /** The public base URL (NEXTAUTH_URL, else the request's origin). */
  baseUrl: string;
}

type RouteContext<Params> = { params: Promise<Params> };

const pathParamsSchema = z.record(z.string(), safeText('a path segment').max(4096));

export function taxiiJson(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': TAXII_MEDIA_TYPE, 'cache-control': 'no-store', ...headers } });
}

export function taxiiError(status: number, description: string, code?: string, headers: Record<string, string> = {}): Response {
  return taxiiJson(taxiiErrorBody(status, description, code), status, headers);
}

function baseUrlOf(req: Request, runtime: Runtime): string {
  if (runtime.config.NEXTAUTH_URL) return runtime.config.NEXTAUTH_URL.replace(/\/+$/, '');
  const url = new URL(req.url);
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const host = req.headers.get('host');
  return `${proto === 'https' ? 'https:' : url.protocol}//${host ?? url.host}`;
}

export function withTaxii<Params = Record<string, string>>(handler: (req: Request, ctx: TaxiiRouteContext<Params>) => Promise<Response>) {
  return async (req: Request, context: RouteContext<Params>): Promise<Response> => {
    let runtime: Runtime | null = null;
    try {
      runtime = getRuntime();
      const params = await context.params;
      parseInput(pathParamsSchema, params ?? {});
      const raw = taxiiToken(req.headers.get('authorization'));
      if (!raw) {
        return taxiiError(401, 'send an API token with the read scope: HTTP Basic (any user name, the token as the password) or Authorization: Bearer', 'invalid_token', {
          'www-authenticate': TAXII_WWW_AUTHENTICATE,
        });
      }
      const auth = await verifyApiToken(runtime.db.prisma, raw, tokenUse(req));
      const entitlement = checkEntitlement(auth, 'read');
      if (!entitlement.ok) return taxiiError(403, entitlement.error.message, entitlement.error.code);
      if (!acceptsTaxii(req.headers.get('accept'))) {
        return taxiiError(406, `this server answers ${TAXII_MEDIA_TYPE} only: send Accept: ${TAXII_MEDIA_TYPE}`, 'not_acceptable');
      }
      const limit = await consumeApiRequest(runtime, auth.user.plan, { tokenId: auth.tokenId, userId: auth.user.id });
      recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { requests: 1, limited: limit.allowed ? 0 : 1 });
      if (!limit.allowed) return taxiiError(429, limit.message, limit.code, limit.headers);
      const instance = await getStixInstance(runtime.db.sql, { baseUrl: runtime.config.NEXTAUTH_URL });
      const response = await handler(req, {
        auth,
        runtime,
        params,
        taxii: { instance, lifetimes: defaultTrustPolicy().lifetimes },
        baseUrl: baseUrlOf(req, runtime),
      });
      for (const [name, value] of Object.entries(limit.headers)) response.headers.set(name, value);
      return response;
    } catch (error) {
      if (isAppError(error) && error.code !== 'unavailable') {
        return taxiiError(error.status, error.message, error.code, error.status === 401 ? { 'www-authenticate': TAXII_WWW_AUTHENTICATE } : {});
      }
      if (isUnavailableError(error)) {
        runtime?.logger.warn({ err: error, path: new URL(req.url).pathname }, 'dependency unavailable');
        return taxiiError(503, 'a service Sluice depends on is unavailable; retry shortly', 'unavailable', { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) });
      }
      const requestId = req.headers.get('x-request-id') ?? undefined;
      runtime?.logger.error({ err: error, requestId, path: new URL(req.url).pathname }, 'unhandled TAXII error');
      return taxiiError(500, `internal error; the request id ${requestId ?? ''} identifies it in the server logs`, 'internal');
    }
  };
}
