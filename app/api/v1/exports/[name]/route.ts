// GET /api/v1/exports/{name} — blocklists and bulk exports of public data (docs/exports.md):
// {type}.txt, indicators.csv|json, rpz.zone, suricata.rules, snort.rules; ?tag=&feed=&minConfidence=&days=&type=.
// Anonymous and free-plan callers get the Free tier (delayed); a Firehose-plan token the current data.
// In production the HTTP edge answers these requests before Next (server/export-edge.ts) with the
// same function (lib/exports/serve-export.ts); this route answers where the edge is off (development).
import { tokenUse, withPublicRoute } from '@/app/api/_lib/with-api-token';
import { getExportContract } from '@/lib/api-contract/routes/exports';
import { publicBaseUrl } from '@/lib/config';
import { serveExport } from '@/lib/exports';
import { getRuntime } from '@/lib/runtime';
import { restTokenVerifier } from '@/lib/token-cache';

export const dynamic = 'force-dynamic';

export const GET = withPublicRoute<{ name: string }>(getExportContract, async (req, { params }) => {
  const runtime = getRuntime();
  const answer = await serveExport(
    { runtime, baseUrl: publicBaseUrl(runtime.config), verify: restTokenVerifier(runtime.db.prisma) },
    { name: params.name, search: new URL(req.url).searchParams, authorization: req.headers.get('authorization'), address: tokenUse(req).address, headers: req.headers },
  );
  const body = answer.body ? (new Uint8Array(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength) as Uint8Array<ArrayBuffer>) : null;
  return new Response(body, { status: answer.status, headers: answer.headers });
});
