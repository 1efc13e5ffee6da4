// What a signed-in user who is not an operator gets from the operators' pages, with a 403
// (forbidden() in ./require-admin.ts): nothing of the page, only where to go instead.
import type { Metadata } from 'next';
import Link from 'next/link';

export const metadata: Metadata = { title: 'Operators only', robots: { index: false } };

export default function AdminForbidden() {
  return (
    <div className="mx-auto max-w-3xl px-4 pt-16 pb-24 sm:px-6 sm:pt-24">
      <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">403 · forbidden</p>
      <h1 className="mt-3 text-3xl font-semibold tracking-tight text-white sm:text-4xl">Operators only</h1>
      <p className="mt-3 max-w-2xl text-slate-400">These pages are for Sluice operators. Ask one to make your account an admin.</p>
      <nav aria-label="Where next" className="mt-10 flex flex-wrap gap-3 text-sm">
        <Link href="/dashboard" className="rounded-md border border-white/15 px-4 py-2 font-medium text-white hover:bg-white/5">
          Your dashboard
        </Link>
        <Link href="/" className="rounded-md px-4 py-2 font-medium text-slate-300 hover:text-white">
          Home
        </Link>
      </nav>
    </div>
  );
}
