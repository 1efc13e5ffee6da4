// GET / PATCH / DELETE /api/v1/feeds/{slug}: one of your feeds. Anyone else's feed is a 404.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { deleteFeedContract, getFeedContract, updateFeedContract } from '@/lib/api-contract/routes/feeds';
import { deleteFeed, getFeedOrThrow, updateFeed } from '@/lib/feeds';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';

const MAX_FEED_BODY = 64 * 1024;

export const GET = withApiToken(
  async (_req, { auth, runtime, params, reply }) => reply(200, { feed: await getFeedOrThrow(runtime.db.prisma, auth.user.id, params.slug) }),
  { contract: getFeedContract },
);

export const PATCH = withApiToken(
  async (req, { auth, runtime, params, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_FEED_BODY));
    return reply(200, { feed: await updateFeed(runtime.db.prisma, auth.user.id, params.slug, body) });
  },
  { contract: updateFeedContract },
);

export const DELETE = withApiToken(
  async (_req, { auth, runtime, params, reply }) => {
    await deleteFeed(runtime.db.prisma, auth.user.id, params.slug);
    return reply(204, null);
  },
  { contract: deleteFeedContract },
);
