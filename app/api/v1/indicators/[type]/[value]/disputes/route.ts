// POST /api/v1/indicators/{type}/{value}/disputes: report a public value as a false positive
// (docs/trust.md). Body { "reason": "…" }. 201 with the dispute; 200 with your existing one.
import { withApiToken } from '@/app/api/_lib/with-api-token';
import { createDisputeContract } from '@/lib/api-contract/routes/indicators';
import { parseJsonBody, readBodyWithLimit } from '@/lib/http/read-body';
import { createDispute } from '@/lib/trust/disputes';

const MAX_DISPUTE_BODY = 16 * 1024;

export const POST = withApiToken(
  async (req, { auth, runtime, params, reply }) => {
    const body = parseJsonBody(req.headers.get('content-type'), await readBodyWithLimit(req.body, req.headers.get('content-length'), MAX_DISPUTE_BODY));
    const { dispute, created } = await createDispute(runtime.db.sql, auth.user.id, { type: params.type, value: params.value, body });
    return reply(created ? 201 : 200, { dispute });
  },
  { contract: createDisputeContract },
);
