// The TAXII 2.1 error resource (§3.6.1): every TAXII failure is answered in this shape, with the
// TAXII media type, never the REST API's `{ error: { code, message } }`.
export interface TaxiiErrorBody {
  title: string;
  description?: string;
  error_code?: string;
  http_status: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Authentication required',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  413: 'Request too large',
  415: 'Unsupported media type',
  422: 'Unprocessable request',
  429: 'Too many requests',
  500: 'Internal error',
  503: 'Service unavailable',
};

export function taxiiErrorBody(status: number, description: string, code?: string): TaxiiErrorBody {
  return {
    title: TITLES[status] ?? (status >= 500 ? 'Server error' : 'Request refused'),
    description,
    ...(code ? { error_code: code } : {}),
    http_status: String(status),
  };
}

/** The challenge sent with every 401: Basic (the token as the password) or Bearer. */
export const TAXII_WWW_AUTHENTICATE = 'Basic realm="Sluice TAXII", charset="UTF-8", Bearer realm="Sluice TAXII"';

/** Whether a path is served by the TAXII server (its errors take the TAXII shape at the edge). */
export function isTaxiiPath(path: string): boolean {
  return path === '/taxii2' || path.startsWith('/taxii2/');
}

/** A TAXII error as the HTTP edge (server/http.ts) sends it, before or instead of Next. */
export function taxiiEdgeError(status: number, description: string, code?: string): { contentType: string; body: string } {
  return { contentType: 'application/taxii+json;version=2.1', body: JSON.stringify(taxiiErrorBody(status, description, code)) };
}

/**
 * TAXII URLs end in "/" (§1.6.2); Next's routes do not (it would redirect): the edge hands Next the
 * path without its trailing slash, e.g. /taxii2/sluice/collections/ → /taxii2/sluice/collections.
 */
export function taxiiRoutePath(rawUrl: string): string {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return trimmed + (q < 0 ? '' : rawUrl.slice(q));
}
