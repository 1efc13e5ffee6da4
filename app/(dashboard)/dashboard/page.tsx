// The signed-in dashboard: plan card with the Firehose switch, API tokens, feeds.
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { requireSessionUser } from '@/app/_lib/auth';
import { DeletionPendingBanner } from '@/components/account/delete-account-card';
import { VerifyEmailNotice } from '@/components/account/verify-email-notice';
import { DisplayNameForm } from '@/components/dashboard/display-name-form';
import { FeedsCard } from '@/components/dashboard/feeds-card';
import { FeedRetractCard } from '@/components/trust/feed-retract-card';
import { FirehoseStatsCard } from '@/components/dashboard/firehose-stats-card';
import { PlanCard } from '@/components/dashboard/plan-card';
import { QuickStart } from '@/components/dashboard/quick-start';
import { TokenPanel, type TokenRow } from '@/components/dashboard/token-panel';
import { WebhooksSection } from '@/components/dashboard/webhooks-section';
import { UsageWarning } from '@/components/usage/usage-view';
import { findUserFeeds } from '@/lib/accounts/find-user-feeds';
import { createFeedAction, deleteFeedAction, previewFeedDeletionAction, updateFeedAction } from './feed-actions';
import { getAccount } from '@/lib/accounts/get-account';
import { getBilling } from '@/lib/billing/stripe-client';
import { publicBaseUrl } from '@/lib/config';
import { checkEntitlement } from '@/lib/entitlements';
import { PLANS } from '@/lib/plans';
import { readGatewayStats } from '@/lib/realtime/gateway-stats';
import { getRuntime } from '@/lib/runtime';
import { findApiTokens, type TokenScope } from '@/lib/tokens';
import { readUsageSummary } from '@/lib/usage';
import { createTokenAction, openBillingPortalAction, revokeTokenAction, toggleFirehoseAction, updateDisplayNameAction } from './actions';
import { deleteWebhookAction, replayWebhookAction, setWebhookPausedAction } from './webhook-actions';
import { retractFromFeedAction } from './trust-actions';
import { cancelDeletionAction, resendVerificationAction } from '../settings/actions';

export const metadata: Metadata = { title: 'Dashboard' };
export const dynamic = 'force-dynamic';

export default async function DashboardPage({ searchParams }: { searchParams: Promise<{ checkout?: string }> }) {
  const session = await requireSessionUser('/dashboard');
  const { config, db, engines } = getRuntime();
  const [account, tokens, feeds] = await Promise.all([
    getAccount(db.prisma, session.id),
    findApiTokens(db.prisma, session.id),
    findUserFeeds(db.sql, session.id),
  ]);
  if (!account) redirect('/login'); // the account was deleted while the session lived
  // Allowances 80 % used or more (lib/usage); the dashboard shows without them rather than fail.
  const usageWarnings = (await readUsageSummary(db.prisma, session.id, { requestsPerDay: config.API_REQUESTS_PER_DAY, days: 1, hours: 1 }).catch(() => null))?.warnings ?? [];
  // The instance-wide gateway figures are for operators: read (and shown) only for admins.
  const gatewayStats = account.isAdmin ? await readGatewayStats(engines) : null;
  const billing = getBilling(config);
  const { checkout } = await searchParams;

  const rows: TokenRow[] = tokens.map((token) => {
    const entitlement = checkEntitlement({ scopes: token.scopes as TokenScope[], user: account }, 'stream');
    return {
      id: token.id,
      name: token.name,
      prefix: token.prefix,
      scopes: token.scopes,
      createdAt: token.createdAt.toISOString(),
      lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
      revokedAt: token.revokedAt?.toISOString() ?? null,
      expiresAt: token.expiresAt?.toISOString() ?? null,
      allowedNetworks: token.allowedNetworks,
      streaming: entitlement.ok ? 'enabled' : (entitlement.error.code as TokenRow['streaming']),
    };
  });
  const base = publicBaseUrl(config);

  return (
    <div className="mx-auto max-w-6xl px-4 py-8 sm:px-6 sm:py-10">
      <div className="flex flex-col gap-1 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-white sm:text-3xl">Dashboard</h1>
          <p className="mt-1 text-sm text-slate-400">
            Signed in as <span className="text-slate-200">{account.email}</span>
          </p>
        </div>
        {/* The header hides its Settings link on phones: this one is there at every width. */}
        <div className="flex flex-wrap gap-x-4 gap-y-1">
          <Link href="/usage" className="text-sm text-brand-400 hover:text-brand-300">
            Usage →
          </Link>
          <Link href="/settings" className="text-sm text-brand-400 hover:text-brand-300">
            Password, devices and two-factor →
          </Link>
        </div>
      </div>
      <UsageWarning warnings={usageWarnings} />
      {account.emailVerifiedAt ? null : <VerifyEmailNotice email={account.email} resendAction={resendVerificationAction} />}
      {account.deletionDueAt ? <DeletionPendingBanner dueAt={account.deletionDueAt.toISOString()} cancel={cancelDeletionAction} /> : null}

      <div className="mt-8 grid grid-cols-1 gap-6 lg:grid-cols-3">
        <div className="min-w-0 space-y-6 lg:order-2">
          <PlanCard
            plan={account.plan}
            billingMode={billing.mode}
            priceMonthlyUsd={PLANS.firehose.priceMonthlyUsd}
            features={PLANS.firehose.features}
            awaitingCheckout={checkout === 'success'}
            toggleFirehoseAction={toggleFirehoseAction}
            openBillingPortalAction={openBillingPortalAction}
            subscription={
              account.subscription
                ? {
                    status: account.subscription.status,
                    cancelAtPeriodEnd: account.subscription.cancelAtPeriodEnd,
                    currentPeriodEnd: account.subscription.currentPeriodEnd?.toISOString() ?? null,
                  }
                : null
            }
          />
          <DisplayNameForm displayName={account.displayName} updateDisplayNameAction={updateDisplayNameAction} />
          <QuickStart baseUrl={base} className="hidden lg:block" />
        </div>
        <div className="min-w-0 space-y-6 lg:order-1 lg:col-span-2">
          <TokenPanel tokens={rows} now={new Date().toISOString()} createTokenAction={createTokenAction} revokeTokenAction={revokeTokenAction} />
          <FeedsCard
            feeds={feeds}
            now={new Date().toISOString()}
            actions={{ create: createFeedAction, update: updateFeedAction, previewDelete: previewFeedDeletionAction, remove: deleteFeedAction }}
          />
          <WebhooksSection userId={account.id} actions={{ setPaused: setWebhookPausedAction, replay: replayWebhookAction, remove: deleteWebhookAction }} />
          <FeedRetractCard feeds={feeds.map((f) => ({ slug: f.slug, name: f.name }))} action={retractFromFeedAction} />
          {gatewayStats ? <FirehoseStatsCard stats={gatewayStats} /> : null}
          <QuickStart baseUrl={base} className="lg:hidden" />
        </div>
      </div>
    </div>
  );
}
