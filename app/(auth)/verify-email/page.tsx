// The link mailed at sign-up: confirms the address (single use; the link works for 3 days).
import type { Metadata } from 'next';
import Link from 'next/link';
import { requestAuditContext } from '@/app/_lib/audit-context';
import { recordAudit } from '@/lib/accounts/audit';
import { verifyEmail } from '@/lib/accounts/email-verification';
import { getRuntime } from '@/lib/runtime';

export const metadata: Metadata = { title: 'Confirm your email' };
export const dynamic = 'force-dynamic';

export default async function Page({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const runtime = getRuntime();
  const verified = typeof token === 'string' ? await verifyEmail(runtime.db.prisma, token) : null;
  if (verified) {
    await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(null)), action: 'email_verified', subjectUserId: verified.userId }, runtime.logger);
    runtime.logger.info({ module: 'accounts' }, 'email address verified');
  }
  return (
    <div className="rounded-2xl border border-white/10 bg-white/[0.03] p-6 sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight text-white">{verified ? 'Email address confirmed' : 'This link does not work'}</h1>
      <p className="mt-2 text-sm text-slate-400">
        {verified
          ? 'Thank you. Your public sightings can now stream, and paid plans are open to you.'
          : 'Confirmation links work once, for 3 days. Send a new one from your dashboard.'}
      </p>
      <p className="mt-6 text-sm">
        <Link href="/dashboard" className="font-medium text-brand-400 hover:text-brand-100">Go to the dashboard</Link>
      </p>
    </div>
  );
}
