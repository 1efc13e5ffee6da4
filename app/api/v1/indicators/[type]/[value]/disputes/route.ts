// POST /api/v1/indicators/{type}/{value}/disputes: report a public value as a false positive
// (docs/trust.md). Body { "reason": "…" }. 201 with the dispute; 200 with your existing one.
import { NextResponse } from 'next/server';
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { createDispute } from '@/lib/trust/disputes';

type Params = { type: string; value: string };
const MAX_DISPUTE_BODY = 16 * 1024;

export const POST = withApiToken<Params>(
  async (req, { auth, runtime, params }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_DISPUTE_BODY));
    const { dispute, created } = await createDispute(runtime.db.sql, auth.user.id, { type: params.type, value: params.value, body });
    return NextResponse.json({ dispute }, { status: created ? 201 : 200 });
  },
  { scope: 'read' },
);
