// POST /api/v1/webhooks/{id}/test: the delivering worker sends a signed test request soon; its
// outcome appears as `webhook.test` in GET /api/v1/webhooks/{id} (the CLI waits for it).
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { testWebhookContract } from '@/lib/api-contract/routes/webhooks';
import { requestWebhookTest } from '@/lib/webhooks';
import { webhookDeps } from '../../deps';

export const POST = withApiToken(
  async (_req, { auth, runtime, params, reply }) => reply(202, { webhook: await requestWebhookTest(webhookDeps(runtime), auth.user.id, params.id) }),
  { contract: testWebhookContract },
);
