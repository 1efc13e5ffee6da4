// GET /api/v1/openapi.json: the OpenAPI 3.1 document of the REST API, generated from the route
// contracts (lib/api-contract). Public, cached by clients for a few minutes.
import { withPublicRoute } from '@/app/api/_lib/with-api-token';
import { buildOpenApiDocument } from '@/lib/api-contract/openapi';
import { openApiContract } from '@/lib/api-contract/routes/docs';

let document: ReturnType<typeof buildOpenApiDocument> | null = null;

export const GET = withPublicRoute(openApiContract, async (_req, { reply }) =>
  reply(200, (document ??= buildOpenApiDocument()) as unknown as Record<string, unknown>, { headers: { 'cache-control': 'public, max-age=300' } }),
);
