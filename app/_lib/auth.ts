// next-auth options (Credentials provider, JWT sessions backed by session records that end on sign-out)
// and the session helpers pages use.
import { AsyncLocalStorage } from 'node:async_hooks';
import { getServerSession, type NextAuthOptions } from 'next-auth';
import type { JWT } from 'next-auth/jwt';
import CredentialsProvider from 'next-auth/providers/credentials';
import { redirect } from 'next/navigation';
import { recordedClientAddress } from '@/lib/client-address';
import { recordAudit } from '@/lib/accounts/audit';
import { endAllSessions } from '@/lib/accounts/session-version';
import { createSessionCheckCache, createSessionRecord, SESSION_MAX_AGE_SECONDS } from '@/lib/accounts/sessions';
import { processSlot } from '@/lib/process-state';
import { verifyCredentials } from '@/lib/accounts/verify-credentials';
import { isAppError, isUnavailableError, unavailableError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

/**
 * The client address for per-IP limits and loopback checks. server/http.ts resolved it from the socket,
 * X-Forwarded-For and TRUST_PROXY (lib/client-address.ts) and recorded it as X-Forwarded-For.
 */
export function clientIp(headers: Record<string, string | string[] | undefined> | Headers | undefined): string | null {
  if (!headers) return null;
  const value = headers instanceof Headers ? headers.get('x-forwarded-for') : headers['x-forwarded-for'];
  return recordedClientAddress(value);
}

/**
 * What one request to next-auth's endpoints learned that its response should say: a sign-in refused
 * for a while (429 with Retry-After), or the session check could not reach the database (503, and the
 * session cookie is kept). Set by the callbacks below, read by app/api/auth/[...nextauth]/route.ts.
 */
export interface AuthRequestFeedback {
  retryAfterSeconds?: number;
  unavailable?: boolean;
}
export const authRequestFeedback = new AsyncLocalStorage<AuthRequestFeedback>();

/** A session whose record is gone (signed out on that device), whose version is behind the user's (signed out everywhere, password reset, suspended) or whose user is gone. */
class SessionEndedError extends Error {
  constructor() {
    super('session ended');
    this.name = 'SessionEndedError';
  }
}

/** Session records and versions, checked on every request that reads the session; a node learns of a sign-out elsewhere within 2 s. */
// Process state: a sign-out's `forget` must reach the cache every bundle (pages, routes, actions) reads.
export const sessionChecks = processSlot('sessionChecks', () => createSessionCheckCache(2_000));

type SessionToken = JWT & { sv?: number; sid?: string };

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: '/login' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: {
        email: { label: 'Email', type: 'email' },
        password: { label: 'Password', type: 'password' },
        code: { label: 'Two-factor code', type: 'text' },
      },
      async authorize(credentials, req) {
        const runtime = getRuntime();
        try {
          const headers = req?.headers as Record<string, string | undefined> | undefined;
          const user = await verifyCredentials(
            { prisma: runtime.db.prisma, engines: runtime.engines, logger: runtime.logger },
            { email: credentials?.email, password: credentials?.password, code: credentials?.code, ip: clientIp(req?.headers), userAgent: headers?.['user-agent'] },
          );
          const sessionId = await createSessionRecord(runtime.db.prisma, {
            userId: user.id,
            userAgent: headers?.['user-agent'],
            address: clientIp(req?.headers),
          });
          return { id: user.id, email: user.email, name: user.name, sessionVersion: user.sessionVersion, sessionId };
        } catch (error) {
          // next-auth passes the message to the sign-in form as `error`.
          if (isAppError(error)) {
            const retryAfter = error.code === 'rate_limited' ? Number(error.details?.retryAfterSeconds) : NaN;
            const feedback = authRequestFeedback.getStore();
            if (feedback && retryAfter > 0) feedback.retryAfterSeconds = retryAfter;
            throw new Error(error.message);
          }
          runtime.logger.error({ err: error }, 'sign-in failed');
          throw new Error('Sign-in is unavailable right now. Try again shortly.');
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      const session = token as SessionToken;
      if (user) {
        session.sub = user.id;
        session.sv = (user as { sessionVersion?: number }).sessionVersion ?? 0;
        session.sid = (user as { sessionId?: string }).sessionId;
        return session;
      }
      // Every later request: the session lives only while its record exists and its version is the
      // user's current one. Sessions issued before records existed carry no id and have ended.
      if (!session.sub || !session.sid) throw new SessionEndedError();
      let live;
      try {
        live = await sessionChecks.get(getRuntime().db.prisma, session.sid);
      } catch (error) {
        const feedback = authRequestFeedback.getStore();
        if (feedback) feedback.unavailable = true;
        throw error;
      }
      if (!live || live.userId !== session.sub || live.version !== (session.sv ?? 0)) throw new SessionEndedError();
      return session;
    },
    async session({ session, token }) {
      if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
      // The record id (not a secret: the signed cookie is) lets /settings mark "this device".
      (session as { sid?: string }).sid = (token as SessionToken).sid;
      return session;
    },
  },
  events: {
    // Signing out ends every session of the user, on every device: a copied cookie stops working too.
    async signOut({ token }) {
      const userId = (token as SessionToken | null)?.sub;
      if (!userId) return;
      const runtime = getRuntime();
      await endAllSessions(runtime.db.prisma, userId);
      sessionChecks.forgetUser(userId);
      await recordAudit(runtime.db.prisma, { action: 'sign_out_everywhere', subjectUserId: userId, actorUserId: userId, source: 'web', details: { via: 'sign-out' } }, runtime.logger);
      runtime.logger.info({ userId }, 'signed out everywhere');
    },
  },
  logger: {
    error(code, metadata) {
      const err = metadata instanceof Error ? metadata : (metadata as { error?: unknown })?.error;
      // An ended session is the expected answer to a stale cookie, not an error.
      if (err instanceof SessionEndedError) return;
      // The database is down: the request answers 503 (getSessionUser, the auth route), not a bug.
      if (isUnavailableError(err)) return getRuntime().logger.warn({ err, code }, 'next-auth: session check unavailable');
      getRuntime().logger.error({ err, code }, 'next-auth error');
    },
    warn(code) {
      getRuntime().logger.warn({ code }, 'next-auth warning');
    },
    debug() {},
  },
};

export interface SessionUser {
  id: string;
  email: string;
  /** This device's session record (lib/accounts/sessions.ts). */
  sessionId: string | null;
}

/**
 * The signed-in user, or null when signed out or the session ended. Throws 503 `unavailable` when
 * the session could not be checked (the database is down): next-auth would read that as "no
 * session", and the user would be sent to sign in (a signed-in page) or told their session ended
 * (a server action) by an outage.
 */
export async function getSessionUser(): Promise<SessionUser | null> {
  const feedback: AuthRequestFeedback = {};
  const session = await authRequestFeedback.run(feedback, () => getServerSession(authOptions));
  if (feedback.unavailable) throw unavailableError();
  const user = session?.user as { id?: string; email?: string | null } | undefined;
  const sessionId = (session as { sid?: string } | null)?.sid ?? null;
  return user?.id && user.email ? { id: user.id, email: user.email, sessionId } : null;
}

/** For signed-in pages: the user, or a redirect to the sign-in page. */
export async function requireSessionUser(callbackUrl = '/dashboard'): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return user;
}
