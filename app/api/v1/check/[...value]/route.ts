// GET /api/v1/check/{value}: known or not, last seen, sightings, tags and feeds for one indicator.
// The value may be defanged; encode it with encodeURIComponent (URLs contain slashes).
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { checkIndicator } from '@/lib/search';

type Params = { value: string[] };

export const GET = withApiToken<Params>(
  async (req, { auth, runtime, params }) => {
    const search = new URL(req.url).searchParams;
    const query: Record<string, string> = { value: params.value.join('/') };
    const type = search.get('type');
    if (type !== null) query.type = type;
    return NextResponse.json(await checkIndicator(runtime.db.sql, auth.user.id, query));
  },
  { scope: 'read' },
);
