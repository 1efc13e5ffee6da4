'use client';
// The header's account links: sign in / get started, or dashboard / sign out once signed in.
// Reads the session in the browser so that public pages stay static.
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useEffect, useState } from 'react';

export function HeaderAccount() {
  const [email, setEmail] = useState<string | null | undefined>(undefined);
  const pathname = usePathname();
  // Re-read on navigation: signing in or out changes the page without reloading the layout.
  useEffect(() => {
    let live = true;
    fetch('/api/auth/session', { cache: 'no-store' })
      .then((res) => (res.ok ? res.json() : null))
      .then((session: { user?: { email?: string } } | null) => live && setEmail(session?.user?.email ?? null))
      .catch(() => live && setEmail(null));
    return () => {
      live = false;
    };
  }, [pathname]);

  if (email) {
    return (
      <>
        <Link href="/dashboard" className="rounded px-2 py-1 text-slate-300 hover:text-white">Dashboard</Link>
        <Link href="/settings" className="hidden rounded px-2 py-1 text-slate-300 hover:text-white sm:inline">Settings</Link>
        <button
          type="button"
          onClick={() => signOut({ callbackUrl: '/' })}
          className="rounded-md border border-white/10 px-3 py-1.5 font-medium text-slate-200 hover:bg-white/5"
        >
          Sign out
        </button>
      </>
    );
  }
  return (
    <>
      <Link href="/login" className="rounded px-2 py-1 text-slate-300 hover:text-white">Sign in</Link>
      <Link href="/signup" className="whitespace-nowrap rounded-md bg-brand-500 px-3 py-1.5 font-medium text-ink-950 hover:bg-brand-400">
        Get started
      </Link>
    </>
  );
}
