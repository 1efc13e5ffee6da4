// POST /api/v1/feeds (create one of your feeds), GET /api/v1/feeds (list yours).
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { createFeedContract, listFeedsContract } from '@/lib/api-contract/routes/feeds';
import { createFeed, findFeeds } from '@/lib/feeds';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';

const MAX_FEED_BODY = 64 * 1024;

export const GET = withApiToken(
  async (_req, { auth, runtime, reply }) => reply(200, { feeds: await findFeeds(runtime.db.prisma, auth.user.id) }),
  { contract: listFeedsContract },
);

export const POST = withApiToken(
  async (req, { auth, runtime, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_FEED_BODY));
    const feed = await createFeed(runtime.db.prisma, auth.user.id, body);
    return reply(201, { feed });
  },
  { contract: createFeedContract },
);
