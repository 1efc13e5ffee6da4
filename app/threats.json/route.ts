// GET /threats.json — the public threats list as JSON: the same cached sample as /threats.
import { errorResponse } from '@/app/api/_lib/respond';
import { getRuntime } from '@/lib/runtime';
import { getThreatsExport, parseThreatFilters } from '@/lib/threats';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  try {
    const filters = parseThreatFilters(new URL(req.url).searchParams);
    const body = await getThreatsExport(getRuntime().db.sql, filters, 'json');
    return new Response(body, {
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=5', 'access-control-allow-origin': '*' },
    });
  } catch (error) {
    return errorResponse(error, req);
  }
}
