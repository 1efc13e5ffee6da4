// GET /api/account/token?action=stream|submit|read — "may this token do X now?" over HTTP, for
// scripts and health checks: 200 when allowed; 401 invalid_token (unknown, revoked or malformed
// alike), 401 token_expired, 403 address_not_allowed / scope_required / plan_required otherwise. The same answer the gateway gives.
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { checkEntitlement } from '@/lib/entitlements';
import { AppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';
import { TOKEN_SCOPES, verifyApiToken } from '@/lib/tokens';
import { errorResponse } from '../../_lib/respond';
import { bearerToken, tokenUse } from '../../_lib/with-api-token';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  try {
    const action = z.enum(TOKEN_SCOPES).safeParse(new URL(req.url).searchParams.get('action') ?? 'stream');
    if (!action.success) throw new AppError('invalid_action', `action must be one of ${TOKEN_SCOPES.join(', ')}`);
    const auth = await verifyApiToken(getRuntime().db.prisma, bearerToken(req), tokenUse(req));
    const entitlement = checkEntitlement(auth, action.data);
    if (!entitlement.ok) throw entitlement.error;
    return NextResponse.json({ allowed: true, action: action.data, token: { prefix: auth.prefix, name: auth.tokenName, scopes: auth.scopes }, plan: auth.user.plan });
  } catch (error) {
    return errorResponse(error, req);
  }
}
