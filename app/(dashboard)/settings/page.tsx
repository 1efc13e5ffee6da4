// Account settings: password change, two-factor sign-in, the signed-in devices (sign out one, or
// everywhere), recent security activity and account deletion.
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { requireSessionUser } from '@/app/_lib/auth';
import { ChangePasswordForm } from '@/components/account/change-password-form';
import { DeleteAccountCard } from '@/components/account/delete-account-card';
import { DeviceList } from '@/components/account/device-list';
import { SecurityActivity } from '@/components/account/security-activity';
import { TwoFactorCard } from '@/components/account/two-factor-card';
import { listAuditEvents } from '@/lib/accounts/audit';
import { getAccount } from '@/lib/accounts/get-account';
import { ENTITLED_STATUSES } from '@/lib/billing/sync-stripe-customer';
import { listSessions } from '@/lib/accounts/sessions';
import { getRuntime } from '@/lib/runtime';
import {
  cancelDeletionAction,
  changePasswordAction,
  confirmTwoFactorAction,
  disableTwoFactorAction,
  endSessionAction,
  scheduleDeletionAction,
  signOutEverywhereAction,
  startTwoFactorAction,
} from './actions';

export const metadata: Metadata = { title: 'Settings' };
export const dynamic = 'force-dynamic';

export default async function SettingsPage() {
  const session = await requireSessionUser('/settings');
  const { db, config } = getRuntime();
  const [account, sessions, activity] = await Promise.all([
    getAccount(db.prisma, session.id),
    listSessions(db.prisma, session.id),
    listAuditEvents(db.prisma, session.id, 20),
  ]);
  if (!account) redirect('/login');
  return (
    <div className="mx-auto max-w-3xl space-y-6 px-4 py-8 sm:px-6 sm:py-10">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight text-white sm:text-3xl">Settings</h1>
        <p className="mt-1 text-sm text-slate-400">
          Signed in as <span className="text-slate-200">{account.email}</span> ·{' '}
          <Link href="/usage" className="text-brand-400 hover:text-brand-300">
            API usage and limits
          </Link>
        </p>
      </div>
      <ChangePasswordForm action={changePasswordAction} />
      <TwoFactorCard
        enabled={Boolean(account.totpEnabledAt)}
        actions={{ start: startTwoFactorAction, confirm: confirmTwoFactorAction, disable: disableTwoFactorAction }}
      />
      <DeviceList
        devices={sessions.map((s) => ({
          id: s.id,
          createdAt: s.createdAt.toISOString(),
          lastSeenAt: s.lastSeenAt.toISOString(),
          userAgent: s.userAgent,
          address: s.address,
          current: s.id === session.sessionId,
        }))}
        endSessionAction={endSessionAction}
        signOutEverywhereAction={signOutEverywhereAction}
      />
      <SecurityActivity events={activity} viewer={{ kind: 'owner', userId: session.id }} />
      <DeleteAccountCard
        dueAt={account.deletionDueAt?.toISOString() ?? null}
        coolingOffDays={config.ACCOUNT_DELETION_COOLING_OFF_DAYS}
        twoFactor={Boolean(account.totpEnabledAt)}
        subscriptionActive={account.subscription?.provider === 'stripe' && ENTITLED_STATUSES.has(account.subscription.status)}
        actions={{ schedule: scheduleDeletionAction, cancel: cancelDeletionAction }}
      />
    </div>
  );
}
