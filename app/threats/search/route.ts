// GET /threats/search?type=&tag= — the filter form's target (works without JavaScript): redirects
// to the filtered page's own URL, e.g. /threats/url/tag/phishing.
import { parseThreatFilters, threatsPath } from '@/lib/threats/filters';

export function GET(req: Request) {
  // A relative Location: behind a proxy, req.url's host is not necessarily the public one.
  const path = threatsPath(parseThreatFilters(new URL(req.url).searchParams));
  return new Response(null, { status: 303, headers: { location: path } });
}
