// POST /api/v1/webhooks/{id}/replay { since }: deliver every event after `since` again.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { replayWebhookContract } from '@/lib/api-contract/routes/webhooks';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { replayWebhook } from '@/lib/webhooks';
import { MAX_WEBHOOK_BODY, webhookDeps } from '../../deps';

export const POST = withApiToken(
  async (req, { auth, runtime, params, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_WEBHOOK_BODY));
    return reply(200, { webhook: await replayWebhook(webhookDeps(runtime), auth.user.id, params.id, body) });
  },
  { contract: replayWebhookContract },
);
