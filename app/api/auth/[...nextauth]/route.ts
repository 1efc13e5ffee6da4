// next-auth's endpoints (sign-in, sign-out, session, CSRF).
import NextAuth from 'next-auth';
import { authOptions } from '@/app/_lib/auth';

const handler = NextAuth(authOptions);
export { handler as GET, handler as POST };
