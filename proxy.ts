// Per-request Content-Security-Policy with a nonce (lib/csp.ts). Next reads the policy from the
// request headers while rendering and puts the nonce on its own scripts; that only works on pages
// rendered per request, which is why every page is dynamic (app/layout.tsx) and the public views
// are served from lib/threats' in-memory cache instead of Next's page cache.
import { NextResponse, type NextRequest } from 'next/server';
import { buildContentSecurityPolicy, createNonce } from '@/lib/csp';

export function proxy(request: NextRequest) {
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
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  matcher: [
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
