// GET / PATCH / DELETE /api/v1/feeds/{slug}: one of your feeds. Anyone else's feed is a 404.
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { deleteFeed, getFeedOrThrow, updateFeed } from '@/lib/feeds';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';

type Params = { slug: string };
const MAX_FEED_BODY = 64 * 1024;

export const GET = withApiToken<Params>(
  async (_req, { auth, runtime, params }) => NextResponse.json({ feed: await getFeedOrThrow(runtime.db.prisma, auth.user.id, params.slug) }),
  { scope: 'read' },
);

export const PATCH = withApiToken<Params>(
  async (req, { auth, runtime, params }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_FEED_BODY));
    return NextResponse.json({ feed: await updateFeed(runtime.db.prisma, auth.user.id, params.slug, body) });
  },
  { scope: 'submit' },
);

export const DELETE = withApiToken<Params>(
  async (_req, { auth, runtime, params }) => {
    await deleteFeed(runtime.db.prisma, auth.user.id, params.slug);
    return new NextResponse(null, { status: 204 });
  },
  { scope: 'submit' },
);
