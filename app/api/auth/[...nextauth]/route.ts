// next-auth's endpoints (sign-in, sign-out, session, CSRF). A refused sign-in answers 429 with
// Retry-After; a session check that cannot reach the database answers 503 and keeps the cookie.
import NextAuth from 'next-auth';
import { authOptions, authRequestFeedback, type AuthRequestFeedback } from '@/app/_lib/auth';

type RouteContext = { params: Promise<{ nextauth: string[] }> };
const nextAuth = NextAuth(authOptions) as (req: Request, ctx: RouteContext) => Promise<Response>;

async function handler(req: Request, ctx: RouteContext): Promise<Response> {
  const feedback: AuthRequestFeedback = {};
  const res = await authRequestFeedback.run(feedback, () => nextAuth(req, ctx));
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
