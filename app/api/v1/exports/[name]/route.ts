// GET /api/v1/exports/{name} — blocklists and bulk exports of public data (docs/exports.md):
// {type}.txt, indicators.csv|json, rpz.zone, suricata.rules, snort.rules; ?tag=&feed=&minConfidence=&days=&type=.
// Anonymous and free-plan callers get the Free tier (delayed); a Firehose-plan token the current data.
import { jsonError } from '@/app/api/_lib/respond';
import { bearerToken, tokenUse, withPublicRoute } from '@/app/api/_lib/with-api-token';
import { getExportContract } from '@/lib/api-contract/routes/exports';
import { clientIp } from '@/app/_lib/auth';
import { addressLimitKey } from '@/lib/client-address';
import { publicBaseUrl } from '@/lib/config';
import { consumeAnonymousExport, CONTENT_TYPES, getExport, notModified, parseExportRequest, resolveExportTier } from '@/lib/exports';
import { consumeApiRequest } from '@/lib/plan-limits';
import { getRuntime } from '@/lib/runtime';
import { recordUsage } from '@/lib/usage';

export const dynamic = 'force-dynamic';

export const GET = withPublicRoute<{ name: string }>(getExportContract, async (req, { params }) => {
  const { name } = params;
  const runtime = getRuntime();
  const query = parseExportRequest(name, new URL(req.url).searchParams);
  const { tier, auth } = await resolveExportTier(runtime.db.prisma, bearerToken(req), tokenUse(req));
  const limit = auth
    ? await consumeApiRequest(runtime, auth.user.plan, { tokenId: auth.tokenId, userId: auth.user.id })
    : await consumeAnonymousExport(runtime.engines, runtime.config.EXPORTS_ANONYMOUS_PER_MINUTE, addressLimitKey(clientIp(req.headers)));
  if (auth) recordUsage(runtime, { userId: auth.user.id, tokenId: auth.tokenId }, { requests: 1, limited: limit.allowed ? 0 : 1 });
  const limitHeaders: Record<string, string> = 'headers' in limit ? (limit.headers as Record<string, string>) : {};
  if (!limit.allowed) return jsonError(429, limit.code, limit.message, {}, { 'retry-after': String(limit.retryAfterSeconds), ...limitHeaders });

  const deps = { sql: runtime.db.sql, config: runtime.config, baseUrl: publicBaseUrl(runtime.config) };
  const result = await getExport(deps, tier, query);
  const headers: Record<string, string> = {
    etag: result.etag,
    'last-modified': result.lastModified.toUTCString(),
    'cache-control': tier === 'free' ? `public, max-age=${runtime.config.EXPORTS_INTERVAL_SECONDS}` : 'private, no-cache',
    vary: 'Authorization',
    'access-control-allow-origin': '*',
    'access-control-expose-headers': 'ETag, Last-Modified, Sluice-Export-Tier, Sluice-Export-Count',
    'sluice-export-tier': tier,
    'sluice-export-count': String(result.count),
    'sluice-export-as-of': result.snapshot.asOf,
    'x-content-type-options': 'nosniff',
    ...limitHeaders,
  };
  if (notModified(req.headers, result)) return new Response(null, { status: 304, headers });
  return new Response(result.body, { headers: { ...headers, 'content-type': CONTENT_TYPES[query.format] } });
});
