// next-auth's endpoints (sign-in, sign-out, session, CSRF). A refused sign-in answers 429 with
// Retry-After; a session check that cannot reach the database answers 503 and keeps the cookie.
import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { isAbortedRequestError } from '@/lib/errors';
import { authCallbackUrl } from '@/lib/safe-redirect';
import { authOptions, authRequestFeedback, type AuthRequestFeedback } from '@/app/_lib/auth';

type RouteContext = { params: Promise<{ nextauth: string[] }> };
const nextAuth = NextAuth(authOptions) as (req: Request, ctx: RouteContext) => Promise<Response>;

/**
 * The request next-auth is given, or the 400 it must not see. next-auth throws (a 500) on a
 * malformed JSON body and on a callbackUrl that is neither an absolute http(s) URL nor a path, in
 * the query, the body or its cookie: the JSON is checked here, and the query's and the body's
 * callbackUrl become the same-origin path they lead to or are dropped (lib/safe-redirect.ts).
 */
/** A callbackUrl among `params` becomes the same-origin path it leads to, or is removed. */
function sanitiseCallback(params: URLSearchParams, origin: string): void {
  const value = params.get('callbackUrl');
  if (value === null) return;
  const safe = authCallbackUrl(value, origin);
  if (safe) params.set('callbackUrl', safe);
  else params.delete('callbackUrl');
}

async function sanitisedAuthRequest(req: NextRequest): Promise<NextRequest | Response> {
  const origin = req.nextUrl.origin;
  const url = new URL(req.url);
  sanitiseCallback(url.searchParams, origin);
  // (Its cookie is checked by proxy.ts: next-auth reads cookies through next/headers, not from here.)
  const headers = new Headers(req.headers);

  let body: string | undefined;
  const type = req.headers.get('content-type') ?? '';
  if (req.method === 'POST' && /application\/json/i.test(type)) {
    const text = await req.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return Response.json({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' } }, { status: 400, headers: { 'cache-control': 'no-store' } });
    }
    if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { callbackUrl?: unknown }).callbackUrl === 'string') {
      const fields = parsed as Record<string, unknown>;
      const safe = authCallbackUrl(fields.callbackUrl as string, origin);
      if (safe) fields.callbackUrl = safe;
      else delete fields.callbackUrl;
      body = JSON.stringify(fields);
    } else body = text;
  } else if (req.method === 'POST' && /application\/x-www-form-urlencoded/i.test(type)) {
    const form = new URLSearchParams(await req.text());
    sanitiseCallback(form, origin);
    body = form.toString();
  } else if (req.method === 'POST') {
    body = await req.text();
  }
  return new NextRequest(url, { method: req.method, headers, body });
}

async function handler(original: NextRequest, ctx: RouteContext): Promise<Response> {
  let res: Response;
  const feedback: AuthRequestFeedback = {};
  try {
    const req = await sanitisedAuthRequest(original);
    if (req instanceof Response) return req;
    res = await authRequestFeedback.run(feedback, () => nextAuth(req, ctx));
  } catch (error) {
    // A body cut off by the client or by the 413 of server/http.ts: the answer reaches no one.
    if (isAbortedRequestError(error)) return Response.json({ error: { code: 'request_aborted', message: 'the request body was cut off' } }, { status: 400 });
    throw error;
  }
  if (feedback.unavailable) {
    return Response.json(
      { error: { code: 'unavailable', message: 'Sessions cannot be checked right now. Try again shortly.' } },
      { status: 503, headers: { 'retry-after': '5', 'cache-control': 'no-store' } },
    );
  }
  if (feedback.retryAfterSeconds) {
    // The body stays next-auth's (the sign-in form reads the message from it); status and header say when to retry.
    const headers = new Headers(res.headers);
    headers.set('retry-after', String(feedback.retryAfterSeconds));
    return new Response(res.body, { status: 429, headers });
  }
  return res;
}

export { handler as GET, handler as POST };
