// One account as an operator sees it: plan and subscription, usage, tokens, feeds, sessions, recent audit
// events, and the operator actions (each confirmed, checked server-side and audited; actions.ts).
import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import { notFound } from 'next/navigation';
import Link from 'next/link';
import { SecurityActivity } from '@/components/account/security-activity';
import { getAdminUserView } from '@/lib/accounts/admin-users';
import { PLAN_IDS } from '@/lib/plans';
import { readUsageSummary } from '@/lib/usage';
import { getRuntime } from '@/lib/runtime';
import { requireAdmin } from '../../require-admin';
import { endSessionsAction, revokeTokenAction, setPlanAction, suspendAction, unsuspendAction } from '../actions';
import { USERS_FLASH_COOKIE } from '../flash';
import { UsageSection } from '../usage-section';

export const metadata: Metadata = { title: 'User' };
export const dynamic = 'force-dynamic';

const when = (d: Date | null | undefined) => (d ? d.toISOString().slice(0, 16).replace('T', ' ') : '–');
const card = 'mt-6 rounded-2xl border border-white/10 bg-white/[0.03] p-5 sm:p-6';
const button = 'rounded bg-slate-700 px-3 py-1.5 text-sm text-white hover:bg-slate-600';
const danger = 'rounded bg-red-700 px-3 py-1.5 text-sm text-white hover:bg-red-600';

function Confirm({ label }: { label: string }) {
  return (
    <label className="flex items-center gap-2 text-xs text-slate-400">
      <input type="checkbox" name="confirm" value="yes" required /> {label}
    </label>
  );
}

export default async function AdminUserPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  await requireAdmin(`/admin/users/${encodeURIComponent(id)}`);
  const runtime = getRuntime();
  const user = await getAdminUserView(runtime.db.prisma, id);
  if (!user) notFound(); // the site's 404 (status 404), not a 200 page saying so
  const usage = await readUsageSummary(runtime.db.prisma, user.id, { days: 30, hours: 24, requestsPerDay: runtime.config.API_REQUESTS_PER_DAY });
  const flash = (await cookies()).get(USERS_FLASH_COOKIE)?.value;
  const stripeManaged = user.subscription?.provider === 'stripe';
  const liveTokens = user.tokens.filter((t) => !t.revokedAt);
  return (
    <div className="mx-auto max-w-4xl px-4 py-10 sm:px-6">
      <p className="text-sm"><Link className="text-brand-400 underline" href="/admin/users">← Users</Link></p>
      <h1 className="mt-2 break-all text-2xl font-semibold text-white">{user.email}</h1>
      <p className="mt-1 text-sm" data-testid="user-status">
        {user.suspendedAt ? (
          <span className="font-semibold text-red-400">Suspended since {when(user.suspendedAt)} UTC</span>
        ) : (
          <span className="text-emerald-400">Active</span>
        )}
        {user.isAdmin ? <span className="ml-2 text-slate-400">· operator</span> : null}
      </p>
      {flash ? <p role="status" className="mt-3 rounded border border-slate-700 bg-slate-900 p-2 text-sm text-slate-200">{flash}</p> : null}

      <section className={card} aria-labelledby="account-heading">
        <h2 id="account-heading" className="text-lg font-semibold text-white">Account</h2>
        <dl className="mt-3 grid grid-cols-1 gap-x-6 gap-y-1 text-sm sm:grid-cols-2">
          <div><dt className="inline text-slate-500">Name: </dt><dd className="inline break-all text-slate-200">{user.name ?? '–'}</dd></div>
          <div><dt className="inline text-slate-500">Public name: </dt><dd className="inline break-all text-slate-200">{user.displayName}</dd></div>
          <div><dt className="inline text-slate-500">Plan: </dt><dd className="inline text-slate-200" data-testid="user-plan">{user.plan}</dd></div>
          <div><dt className="inline text-slate-500">Trust: </dt><dd className="inline text-slate-200">{user.trustLevel}</dd></div>
          <div><dt className="inline text-slate-500">Created: </dt><dd className="inline text-slate-200">{when(user.createdAt)}</dd></div>
          <div><dt className="inline text-slate-500">Last sign-in: </dt><dd className="inline text-slate-200">{when(user.lastSignInAt)}</dd></div>
          <div><dt className="inline text-slate-500">Email verified: </dt><dd className="inline text-slate-200">{user.emailVerifiedAt ? when(user.emailVerifiedAt) : 'not yet'}</dd></div>
          <div><dt className="inline text-slate-500">Two-factor: </dt><dd className="inline text-slate-200">{user.totpEnabledAt ? 'on' : 'off'}</dd></div>
          <div><dt className="inline text-slate-500">Signed-in devices: </dt><dd className="inline text-slate-200" data-testid="user-sessions">{user._count.sessions}</dd></div>
          <div>
            <dt className="inline text-slate-500">Subscription: </dt>
            <dd className="inline text-slate-200">
              {user.subscription
                ? `${user.subscription.provider}, ${user.subscription.status}${user.subscription.currentPeriodEnd ? `, period ends ${when(user.subscription.currentPeriodEnd)}` : ''}${user.subscription.cancelAtPeriodEnd ? ', cancels at period end' : ''}`
                : 'none'}
            </dd>
          </div>
        </dl>
      </section>

      <UsageSection usage={usage} />

      <section className={card} aria-labelledby="actions-heading">
        <h2 id="actions-heading" className="text-lg font-semibold text-white">Operator actions</h2>
        <div className="mt-3 space-y-5">
          <form action={setPlanAction} className="space-y-2">
            <input type="hidden" name="userId" value={user.id} />
            <div className="flex flex-wrap items-center gap-2">
              <label htmlFor="plan" className="text-sm text-slate-300">Plan</label>
              <select id="plan" name="plan" defaultValue={user.plan} className="rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100">
                {PLAN_IDS.map((p) => <option key={p} value={p}>{p}</option>)}
              </select>
              <button className={button} type="submit">Change plan</button>
            </div>
            <p className="text-xs text-slate-500">
              {stripeManaged
                ? 'Stripe bills this account: the change applies now, but Stripe’s next event for this customer sets the plan back to what it bills. Change or cancel the subscription in Stripe to make it last.'
                : 'A manual plan: it lasts until an operator or the user changes it.'}
            </p>
            <Confirm label="I mean to change this account’s plan" />
          </form>

          {user.suspendedAt ? (
            <form action={unsuspendAction} className="space-y-2">
              <input type="hidden" name="userId" value={user.id} />
              <p className="text-sm text-slate-300">Lifting the suspension lets them sign in again; their unrevoked tokens work again.</p>
              <Confirm label="I mean to lift the suspension" />
              <button className={button} type="submit">Unsuspend</button>
            </form>
          ) : (
            <form action={suspendAction} className="space-y-2">
              <input type="hidden" name="userId" value={user.id} />
              <p className="text-sm text-slate-300">
                Suspending signs them out on every device, refuses sign-in and every token (REST and streams; live streams end). Nothing is deleted; published sightings stay.
              </p>
              <label className="block text-xs text-slate-400">
                Reason (kept in the audit log)
                <input name="reason" maxLength={500} className="mt-1 block w-full rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100" />
              </label>
              <Confirm label="I mean to suspend this account" />
              <button className={danger} type="submit">Suspend</button>
            </form>
          )}

          <form action={endSessionsAction} className="space-y-2">
            <input type="hidden" name="userId" value={user.id} />
            <p className="text-sm text-slate-300">End every session ({user._count.sessions} signed-in device{user._count.sessions === 1 ? '' : 's'}): they must sign in again.</p>
            <Confirm label="I mean to sign them out everywhere" />
            <button className={button} type="submit">End all sessions</button>
          </form>
        </div>
      </section>

      <section className={card} aria-labelledby="tokens-heading">
        <h2 id="tokens-heading" className="text-lg font-semibold text-white">API tokens</h2>
        <p className="mt-1 text-sm text-slate-400">{liveTokens.length} active of {user._count.tokens}.</p>
        {user.tokens.length === 0 ? null : (
          <ul className="mt-3 divide-y divide-slate-800 text-sm" data-testid="user-tokens">
            {user.tokens.map((t) => (
              <li key={t.id} className="py-2" data-token={t.prefix}>
                <div className="flex flex-wrap items-baseline justify-between gap-2">
                  <span className="break-all text-slate-100"><code className="font-mono">{t.prefix}…</code> {t.name}</span>
                  <span className="text-xs text-slate-400">{t.scopes.join(', ')}</span>
                </div>
                <div className="text-xs text-slate-500">
                  created {when(t.createdAt)} · last used {when(t.lastUsedAt)} · expires {t.expiresAt ? when(t.expiresAt) : 'never'}
                  {t.allowedNetworks.length ? ` · from ${t.allowedNetworks.join(', ')}` : ''}
                  {t.revokedAt ? <span className="text-red-400"> · revoked {when(t.revokedAt)}</span> : null}
                </div>
                {t.revokedAt ? null : (
                  <form action={revokeTokenAction} className="mt-1 flex flex-wrap items-center gap-3">
                    <input type="hidden" name="userId" value={user.id} />
                    <input type="hidden" name="tokenId" value={t.id} />
                    <Confirm label={`Revoke ${t.prefix}…`} />
                    <button className={danger} type="submit">Revoke</button>
                  </form>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section className={card} aria-labelledby="feeds-heading">
        <h2 id="feeds-heading" className="text-lg font-semibold text-white">Feeds</h2>
        {user.feeds.length === 0 ? (
          <p className="mt-2 text-sm text-slate-400">No feeds.</p>
        ) : (
          <ul className="mt-3 divide-y divide-slate-800 text-sm">
            {user.feeds.map((f) => (
              <li key={f.id} className="flex flex-wrap justify-between gap-2 py-1.5">
                <span className="break-all text-slate-100"><code className="font-mono">{f.slug}</code> {f.name}</span>
                <span className="text-xs text-slate-400">TLP:{f.tlp} · {f._count.sightings} sightings · since {when(f.createdAt)}</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <div className="mt-6">
        <SecurityActivity events={user.events} viewer={{ kind: 'operator' }} title="Audit log" />
      </div>
    </div>
  );
}
