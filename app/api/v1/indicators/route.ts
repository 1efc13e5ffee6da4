// GET /api/v1/indicators: search what you can see (public data plus your own private data),
// filtered by type, tag, feed and since, a page at a time with an opaque cursor.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { findIndicatorsContract } from '@/lib/api-contract/routes/indicators';
import { findIndicators } from '@/lib/search';
import { recordUsage } from '@/lib/usage';
import { singleValuedQuery } from '@/lib/http/parse-input';

export const GET = withApiToken(
  async (req, { auth, runtime, reply }) => {
    const query = singleValuedQuery(new URL(req.url).searchParams);
    const page = await findIndicators(runtime.db.sql, auth.user.id, query);
    recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { lookups: 1 });
    return reply(200, page);
  },
  { contract: findIndicatorsContract },
);
