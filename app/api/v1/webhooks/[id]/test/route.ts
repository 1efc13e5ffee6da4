// POST /api/v1/webhooks/{id}/test: the delivering worker sends a signed test request soon; its
// outcome appears as `webhook.test` in GET /api/v1/webhooks/{id} (the CLI waits for it).
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { requestWebhookTest } from '@/lib/webhooks';
import { webhookDeps } from '../../deps';

export const POST = withApiToken<{ id: string }>(
  async (_req, { auth, runtime, params }) => NextResponse.json({ webhook: await requestWebhookTest(webhookDeps(runtime), auth.user.id, params.id) }, { status: 202 }),
  { scope: 'stream' },
);
