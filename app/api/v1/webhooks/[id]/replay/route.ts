// POST /api/v1/webhooks/{id}/replay { since }: deliver every event after `since` again.
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { replayWebhook } from '@/lib/webhooks';
import { MAX_WEBHOOK_BODY, webhookDeps } from '../../deps';

export const POST = withApiToken<{ id: string }>(
  async (req, { auth, runtime, params }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_WEBHOOK_BODY));
    return NextResponse.json({ webhook: await replayWebhook(webhookDeps(runtime), auth.user.id, params.id, body) });
  },
  { scope: 'stream' },
);
