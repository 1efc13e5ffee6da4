// Reset password from the emailed link: checks the link (without using it), then asks for a new password.
import type { Metadata } from 'next';
import Link from 'next/link';
import { ResetPasswordForm } from '@/components/account/reset-password-form';
import { isResetTokenUsable } from '@/lib/accounts/password-reset';
import { getRuntime } from '@/lib/runtime';
import { resetPasswordAction } from '../forgot-password/actions';

export const metadata: Metadata = { title: 'Choose a new password' };
export const dynamic = 'force-dynamic';

export default async function Page({ searchParams }: { searchParams: Promise<{ token?: string | string[] }> }) {
  const { token } = await searchParams;
  const value = typeof token === 'string' ? token : '';
  const usable = value ? await isResetTokenUsable({ prisma: getRuntime().db.prisma }, value) : false;
  if (!usable) {
    return (
      <div className="rounded-2xl border border-white/10 bg-white/[0.03] p-6 sm:p-8">
        <h1 className="text-2xl font-semibold tracking-tight text-white">This link does not work</h1>
        <p className="mt-2 text-sm text-slate-400">Reset links work once, for one hour, and only the newest one does.</p>
        <p className="mt-6 text-sm">
          <Link href="/forgot-password" className="font-medium text-brand-400 hover:text-brand-100">Ask for a new link</Link>
        </p>
      </div>
    );
  }
  return <ResetPasswordForm token={value} action={resetPasswordAction} />;
}
