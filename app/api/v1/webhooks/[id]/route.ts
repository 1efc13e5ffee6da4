// GET / PATCH ({ paused }) / DELETE /api/v1/webhooks/{id}: one of your webhooks; anyone else's is a 404.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { deleteWebhookContract, getWebhookContract, updateWebhookContract } from '@/lib/api-contract/routes/webhooks';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { deleteWebhook, getWebhookOrThrow, setWebhookPaused } from '@/lib/webhooks';
import { MAX_WEBHOOK_BODY, webhookDeps } from '../deps';

export const GET = withApiToken(
  async (_req, { auth, runtime, params, reply }) => reply(200, { webhook: await getWebhookOrThrow(webhookDeps(runtime), auth.user.id, params.id) }),
  { contract: getWebhookContract },
);

export const PATCH = withApiToken(
  async (req, { auth, runtime, params, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_WEBHOOK_BODY));
    return reply(200, { webhook: await setWebhookPaused(webhookDeps(runtime), auth.user.id, params.id, body) });
  },
  { contract: updateWebhookContract },
);

export const DELETE = withApiToken(
  async (_req, { auth, runtime, params, reply }) => {
    await deleteWebhook(webhookDeps(runtime), auth.user.id, params.id);
    return reply(204, null);
  },
  { contract: deleteWebhookContract },
);
