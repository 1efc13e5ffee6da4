// GET /api/v1/stix/indicators: public indicators as a STIX 2.1 bundle, with the search filters
// (type, tag, feed, since, limit) and an opaque `cursor`; the next page's cursor is in the
// `x-next-cursor` header and a `Link: <…>; rel="next"` (docs/taxii.md).
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { findStixIndicatorsContract } from '@/lib/api-contract/routes/stix';
import { findStixIndicators } from '@/lib/stix';
import { stixContext, stixResponse } from './stix-context';
import { singleValuedQuery } from '@/lib/http/parse-input';

export const GET = withApiToken(
  async (req, { auth, runtime }) => {
    const url = new URL(req.url);
    const query = singleValuedQuery(url.searchParams);
    const { bundle, next } = await findStixIndicators(runtime.db.sql, await stixContext(runtime), auth.user.id, query);
    if (!next) return stixResponse(bundle);
    const nextUrl = new URL(url.pathname, 'http://x');
    for (const [k, v] of url.searchParams) if (k !== 'cursor') nextUrl.searchParams.set(k, v);
    nextUrl.searchParams.set('cursor', next);
    return stixResponse(bundle, { 'x-next-cursor': next, link: `<${nextUrl.pathname}${nextUrl.search}>; rel="next"` });
  },
  { contract: findStixIndicatorsContract },
);
