// POST /api/v1/feeds/{slug}/retractions: withdraw a value from one of your feeds (docs/trust.md).
// Body { "value": "…", "type"?: "…", "reason": "…" }. If no other feed or reporter keeps it public,
// it leaves /threats, the exports and the counts, and subscribers get a `retracted` event.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { retractFromFeedContract } from '@/lib/api-contract/routes/feeds';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { retractFromFeed } from '@/lib/trust/retract-contributions';

const MAX_BODY = 16 * 1024;

export const POST = withApiToken(
  async (req, { auth, runtime, params, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_BODY));
    const retraction = await retractFromFeed(runtime.db.sql, auth.user.id, params.slug, body);
    return reply(200, { retraction });
  },
  { contract: retractFromFeedContract },
);
