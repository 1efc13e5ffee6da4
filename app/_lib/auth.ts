// next-auth options (Credentials provider, JWT sessions) and the session helpers pages use.
import { getServerSession, type NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import { redirect } from 'next/navigation';
import { recordedClientAddress } from '@/lib/client-address';
import { verifyCredentials } from '@/lib/accounts/verify-credentials';
import { isAppError } from '@/lib/errors';
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

export const authOptions: NextAuthOptions = {
  session: { strategy: 'jwt', maxAge: 30 * 24 * 3600 },
  pages: { signIn: '/login' },
  providers: [
    CredentialsProvider({
      name: 'Email and password',
      credentials: { email: { label: 'Email', type: 'email' }, password: { label: 'Password', type: 'password' } },
      async authorize(credentials, req) {
        const runtime = getRuntime();
        try {
          const user = await verifyCredentials(
            { prisma: runtime.db.prisma, engines: runtime.engines },
            { email: credentials?.email, password: credentials?.password, ip: clientIp(req?.headers) },
          );
          return { id: user.id, email: user.email, name: user.name };
        } catch (error) {
          // next-auth passes the message to the sign-in form as `error`.
          if (isAppError(error)) throw new Error(error.message);
          runtime.logger.error({ err: error }, 'sign-in failed');
          throw new Error('Sign-in is unavailable right now. Try again shortly.');
        }
      },
    }),
  ],
  callbacks: {
    async jwt({ token, user }) {
      if (user) token.sub = user.id;
      return token;
    },
    async session({ session, token }) {
      if (session.user && token.sub) (session.user as { id?: string }).id = token.sub;
      return session;
    },
  },
};

export interface SessionUser {
  id: string;
  email: string;
}

export async function getSessionUser(): Promise<SessionUser | null> {
  const session = await getServerSession(authOptions);
  const user = session?.user as { id?: string; email?: string | null } | undefined;
  return user?.id && user.email ? { id: user.id, email: user.email } : null;
}

/** For signed-in pages: the user, or a redirect to the sign-in page. */
export async function requireSessionUser(callbackUrl = '/dashboard'): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return user;
}
