// next-auth's endpoints (sign-in, sign-out, session, CSRF). A refused sign-in answers 429 with
// Retry-After; a session check that cannot reach the database answers 503 and keeps the cookie.
import NextAuth from 'next-auth';
import { NextRequest } from 'next/server';
import { isAbortedRequestError } from '@/lib/errors';
import { authOptions, authRequestFeedback, type AuthRequestFeedback } from '@/app/_lib/auth';

type RouteContext = { params: Promise<{ nextauth: string[] }> };
const nextAuth = NextAuth(authOptions) as (req: Request, ctx: RouteContext) => Promise<Response>;

/**
 * next-auth parses a JSON body itself and throws on a malformed one (a 500): it is checked here
 * first and refused with 400, and next-auth gets the same text again.
 */
async function withCheckedJsonBody(req: NextRequest): Promise<NextRequest | Response> {
  if (req.method !== 'POST' || !/application\/json/i.test(req.headers.get('content-type') ?? '')) return req;
  const text = await req.text();
  try {
    JSON.parse(text);
  } catch {
    return Response.json({ error: { code: 'invalid_json', message: 'the request body is not valid JSON' } }, { status: 400, headers: { 'cache-control': 'no-store' } });
  }
  return new NextRequest(req, { body: text });
}

async function handler(original: NextRequest, ctx: RouteContext): Promise<Response> {
  let res: Response;
  const feedback: AuthRequestFeedback = {};
  try {
    const req = await withCheckedJsonBody(original);
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
