// Per-request Content-Security-Policy with a nonce (lib/csp.ts). Next reads the policy from the
// request headers while rendering and puts the nonce on its own scripts; that only works on pages
// rendered per request, which is why every page is dynamic (app/layout.tsx) and the public views
// are served from lib/threats' in-memory cache instead of Next's page cache.
import { NextResponse, type NextRequest } from 'next/server';
import { buildContentSecurityPolicy, createNonce } from '@/lib/csp';
import { withoutBadAuthCallbackCookie } from '@/lib/safe-redirect';

export function proxy(request: NextRequest) {
  if (request.nextUrl.pathname.startsWith('/api/auth/')) return withoutBadCallbackCookie(request, new Headers(request.headers));
  const nonce = createNonce();
  const forwardedProto = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim();
  const policy = buildContentSecurityPolicy({
    nonce,
    host: request.headers.get('host'),
    secure: forwardedProto ? forwardedProto === 'https' : request.nextUrl.protocol === 'https:',
    dev: process.env.NODE_ENV === 'development',
  });
  const headers = new Headers(request.headers);
  headers.set('x-nonce', nonce);
  headers.set('content-security-policy', policy);
  const response = withoutBadCallbackCookie(request, headers);
  response.headers.set('content-security-policy', policy);
  return response;
}

/**
 * Passes the request on with `headers`, minus a next-auth callback-url cookie next-auth would throw
 * on (a 500 on every signed-in page and on /api/auth: next-auth reads cookies through next/headers,
 * which sees the headers set here); the browser is told to delete it (lib/safe-redirect.ts).
 */
function withoutBadCallbackCookie(request: NextRequest, headers: Headers): NextResponse {
  const cookies = withoutBadAuthCallbackCookie(request.headers.get('cookie'), request.nextUrl.origin);
  if (cookies.dropped.length) {
    if (cookies.header === null) headers.delete('cookie');
    else headers.set('cookie', cookies.header);
  }
  const response = NextResponse.next({ request: { headers } });
  for (const name of cookies.dropped) response.cookies.set(name, '', { path: '/', maxAge: 0, secure: name.startsWith('__Secure-') });
  return response;
}

export const config = {
  matcher: [
    // next-auth's routes: only the callback-url cookie check above.
    '/api/auth/:path*',
    {
      // Pages only: not the API, TAXII, Next's static files, the exports or the icon.
      source: '/((?!api/|taxii2|_next/static|_next/image|threats\\.json|threats\\.csv|icon\\.svg|favicon\\.ico|bench\\.txt).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
