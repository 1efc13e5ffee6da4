// Operators find users: search by email or name prefix, 25 at a time (keyset pages by email), with
// plan, status, created and last sign-in. Signed-in admins only (checked on every request).
import type { Metadata } from 'next';
import Link from 'next/link';
import { searchUsers, USER_SEARCH_MAX_QUERY } from '@/lib/accounts/admin-users';
import { getRuntime } from '@/lib/runtime';
import { requireAdmin } from '../require-admin';

export const metadata: Metadata = { title: 'Users' };
export const dynamic = 'force-dynamic';

const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : 'never');
const one = (v: string | string[] | undefined) => (typeof v === 'string' ? v : '');

export default async function AdminUsersPage({ searchParams }: { searchParams: Promise<{ q?: string | string[]; after?: string | string[] }> }) {
  await requireAdmin('/admin/users');
  const params = await searchParams;
  const q = one(params.q).slice(0, USER_SEARCH_MAX_QUERY);
  const after = one(params.after);
  const { users, next } = await searchUsers(getRuntime().db.prisma, { query: q, after });
  return (
    <div className="mx-auto max-w-5xl px-4 py-10 sm:px-6">
      <p className="text-sm"><Link className="text-brand-400 underline" href="/admin">← Operations</Link></p>
      <h1 className="mt-2 text-2xl font-semibold text-white">Users</h1>
      <form method="get" action="/admin/users" className="mt-4 flex flex-wrap gap-2" role="search">
        <label htmlFor="user-search" className="sr-only">Email or name starts with</label>
        <input
          id="user-search"
          name="q"
          defaultValue={q}
          maxLength={USER_SEARCH_MAX_QUERY}
          placeholder="Email or name starts with…"
          className="min-w-0 flex-1 rounded border border-slate-700 bg-slate-900 px-3 py-2 text-sm text-slate-100"
        />
        <button type="submit" className="rounded bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-500">Search</button>
      </form>
      {users.length === 0 ? (
        <p className="mt-6 text-sm text-slate-400">{q ? 'No user’s email or name starts with that.' : 'No users.'}</p>
      ) : (
        <ul className="mt-6 divide-y divide-slate-800 rounded border border-slate-800" data-testid="user-list">
          {users.map((u) => (
            <li key={u.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 px-3 py-2 text-sm" data-user={u.email}>
              <div className="min-w-0">
                <Link href={`/admin/users/${u.id}`} className="break-all font-medium text-brand-400 underline">{u.email}</Link>
                {u.name ? <span className="ml-2 break-all text-slate-400">{u.name}</span> : null}
              </div>
              <div className="flex flex-wrap gap-x-3 text-xs text-slate-400">
                <span>{u.plan}</span>
                <span className={u.suspendedAt ? 'font-semibold text-red-400' : 'text-emerald-400'}>{u.suspendedAt ? 'suspended' : 'active'}</span>
                {u.isAdmin ? <span>operator</span> : null}
                <span>created {day(u.createdAt)}</span>
                <span>last sign-in {day(u.lastSignInAt)}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
      <div className="mt-4 flex gap-4 text-sm">
        {after ? <Link className="text-brand-400 underline" href={`/admin/users?q=${encodeURIComponent(q)}`}>First page</Link> : null}
        {next ? <Link className="text-brand-400 underline" href={`/admin/users?q=${encodeURIComponent(q)}&after=${encodeURIComponent(next)}`}>Next page</Link> : null}
      </div>
    </div>
  );
}
