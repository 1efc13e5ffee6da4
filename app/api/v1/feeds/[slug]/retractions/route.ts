// POST /api/v1/feeds/{slug}/retractions: withdraw a value from one of your feeds (docs/trust.md).
// Body { "value": "…", "type"?: "…", "reason": "…" }. If no other feed or reporter keeps it public,
// it leaves /threats, the exports and the counts, and subscribers get a `retracted` event.
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { retractFromFeed } from '@/lib/trust/retract-contributions';

type Params = { slug: string };
const MAX_BODY = 16 * 1024;

export const POST = withApiToken<Params>(
  async (req, { auth, runtime, params }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_BODY));
    const retraction = await retractFromFeed(runtime.db.sql, auth.user.id, params.slug, body);
    return NextResponse.json({ retraction }, { status: 200 });
  },
  { scope: 'submit' },
);
