// POST /api/v1/webhooks (register an endpoint; the signing secret is in this answer only),
// GET /api/v1/webhooks (yours, with delivery health). Same entitlement as the stream: a token with
// the stream scope whose owner is on the Firehose plan.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { createWebhookContract, listWebhooksContract } from '@/lib/api-contract/routes/webhooks';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { createWebhook, findWebhooks } from '@/lib/webhooks';
import { MAX_WEBHOOK_BODY, webhookDeps } from './deps';

export const GET = withApiToken(
  async (_req, { auth, runtime, reply }) => reply(200, { webhooks: await findWebhooks(webhookDeps(runtime), auth.user.id) }),
  { contract: listWebhooksContract },
);

export const POST = withApiToken(
  async (req, { auth, runtime, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_WEBHOOK_BODY));
    const webhook = await createWebhook(webhookDeps(runtime), { userId: auth.user.id, plan: auth.user.plan, tokenId: auth.tokenId }, body);
    runtime.logger.info({ userId: auth.user.id, webhookId: webhook.id }, 'webhook registered');
    return reply(201, { webhook });
  },
  { contract: createWebhookContract },
);
