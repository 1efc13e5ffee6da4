// GET / PATCH ({ paused }) / DELETE /api/v1/webhooks/{id}: one of your webhooks; anyone else's is a 404.
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { deleteWebhook, getWebhookOrThrow, setWebhookPaused } from '@/lib/webhooks';
import { MAX_WEBHOOK_BODY, webhookDeps } from '../deps';

type Params = { id: string };

export const GET = withApiToken<Params>(
  async (_req, { auth, runtime, params }) => NextResponse.json({ webhook: await getWebhookOrThrow(webhookDeps(runtime), auth.user.id, params.id) }),
  { scope: 'stream' },
);

export const PATCH = withApiToken<Params>(
  async (req, { auth, runtime, params }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_WEBHOOK_BODY));
    return NextResponse.json({ webhook: await setWebhookPaused(webhookDeps(runtime), auth.user.id, params.id, body) });
  },
  { scope: 'stream' },
);

export const DELETE = withApiToken<Params>(
  async (_req, { auth, runtime, params }) => {
    await deleteWebhook(webhookDeps(runtime), auth.user.id, params.id);
    return new NextResponse(null, { status: 204 });
  },
  { scope: 'stream' },
);
