// GET /api/v1/indicators: search what you can see (public data plus your own private data),
// filtered by type, tag, feed and since, a page at a time with an opaque cursor.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { findIndicatorsContract } from '@/lib/api-contract/routes/indicators';
import { findIndicators } from '@/lib/search';

export const GET = withApiToken(
  async (req, { auth, runtime, reply }) => {
    const query = Object.fromEntries(new URL(req.url).searchParams);
    return reply(200, await findIndicators(runtime.db.sql, auth.user.id, query));
  },
  { contract: findIndicatorsContract },
);
