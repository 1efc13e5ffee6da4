// GET /api/v1/asyncapi.json: the AsyncAPI 3 document of the streaming protocol (socket.io
// namespaces and the HTTP stream), generated from lib/realtime/protocol.ts. Public.
import { withPublicRoute } from '@/app/api/_lib/with-api-token';
import { buildAsyncApiDocument } from '@/lib/api-contract/asyncapi';
import { asyncApiContract } from '@/lib/api-contract/routes/docs';

let document: ReturnType<typeof buildAsyncApiDocument> | null = null;

export const GET = withPublicRoute(asyncApiContract, async (_req, { reply }) =>
  reply(200, (document ??= buildAsyncApiDocument()) as unknown as Record<string, unknown>, { headers: { 'cache-control': 'public, max-age=300' } }),
);
