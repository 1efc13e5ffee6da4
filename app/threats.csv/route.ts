// GET /threats.csv — the public threats list as CSV (formula-safe cells): the same sample as /threats.
import { errorResponse } from '@/app/api/_lib/respond';
import { getRuntime } from '@/lib/runtime';
import { getThreatsExport, parseThreatFilters } from '@/lib/threats';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  try {
    const filters = parseThreatFilters(new URL(req.url).searchParams);
    const body = await getThreatsExport(getRuntime().db.sql, filters, 'csv');
    return new Response(body, {
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': 'attachment; filename="sluice-threats.csv"',
        'cache-control': 'public, max-age=5',
        'access-control-allow-origin': '*',
      },
    });
  } catch (error) {
    return errorResponse(error, req);
  }
}
