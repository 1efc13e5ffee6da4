'use client';
// The plan card: the Firehose switch. Local billing flips the plan at once; Stripe sends the user
// to Checkout (on) or the Customer Portal (off / manage) and the webhook sets the plan.
import { useRouter } from 'next/navigation';
import { useEffect, useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import type { ToggleResult } from '@/lib/billing/toggle-firehose';
import { Badge, Button, Card, cx, FormError } from './ui';

export interface PlanCardProps {
  plan: 'free' | 'firehose';
  billingMode: 'stripe' | 'local';
  priceMonthlyUsd: number;
  features: string[];
  subscription: { status: string; cancelAtPeriodEnd: boolean; currentPeriodEnd: string | null } | null;
  /** Just back from Stripe Checkout: wait for the webhook to land. */
  awaitingCheckout: boolean;
  /** Server actions from the page (components do not import app/). */
  toggleFirehoseAction: ServerAction<{ enable: boolean }, ToggleResult>;
  openBillingPortalAction: ServerAction<Record<string, never>, { url: string }>;
}

export function PlanCard({
  plan,
  billingMode,
  priceMonthlyUsd,
  features,
  subscription,
  awaitingCheckout,
  toggleFirehoseAction,
  openBillingPortalAction,
}: PlanCardProps) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const on = plan === 'firehose';
  const waiting = awaitingCheckout && !on;

  // After Checkout, Stripe's webhook usually lands within seconds: re-read the plan until it does.
  useEffect(() => {
    if (!waiting) return;
    const timer = setInterval(() => router.refresh(), 1500);
    const stop = setTimeout(() => clearInterval(timer), 60_000);
    return () => {
      clearInterval(timer);
      clearTimeout(stop);
    };
  }, [waiting, router]);

  function toggle() {
    setError(null);
    startTransition(async () => {
      const result = await toggleFirehoseAction({ enable: !on });
      if (!result.ok) return setError(result.error.message);
      if (result.data.kind === 'redirect') window.location.assign(result.data.url);
      else router.refresh();
    });
  }

  function manage() {
    setError(null);
    startTransition(async () => {
      const result = await openBillingPortalAction({});
      if (!result.ok) return setError(result.error.message);
      window.location.assign(result.data.url);
    });
  }

  const periodEnd = subscription?.currentPeriodEnd ? new Date(subscription.currentPeriodEnd).toLocaleDateString('en', { dateStyle: 'medium', timeZone: 'UTC' }) : null; // UTC: same text on server and browser

  return (
    <Card aria-labelledby="plan-title" className={cx('relative overflow-hidden', on && 'border-brand-400/30')}>
      {on ? <div aria-hidden className="pointer-events-none absolute -top-24 right-0 h-48 w-48 rounded-full bg-brand-500/20 blur-3xl" /> : null}
      <div className="relative p-5 sm:p-6">
        <div className="flex items-start justify-between gap-4">
          <div>
            <p className="text-xs font-medium uppercase tracking-wider text-slate-400">Your plan</p>
            <h2 id="plan-title" className="mt-1 flex items-center gap-2 text-2xl font-semibold text-white" data-testid="plan-name">
              {on ? 'Firehose' : 'Free'}
              {on ? <Badge tone="brand">Streaming on</Badge> : null}
            </h2>
            <p className="mt-1 text-sm text-slate-400">
              {on ? 'Every public indicator streams to your tokens with the stream scope.' : 'Lookups and submissions. Streaming needs the Firehose.'}
            </p>
          </div>
          <button
            type="button"
            role="switch"
            aria-checked={on}
            aria-label="Firehose"
            disabled={pending || waiting}
            onClick={toggle}
            className={cx(
              'relative inline-flex h-7 w-12 shrink-0 cursor-pointer items-center rounded-full transition focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-400 disabled:cursor-wait disabled:opacity-60',
              on ? 'bg-brand-500 shadow-[0_0_20px] shadow-brand-500/40' : 'bg-white/15',
            )}
          >
            <span className={cx('inline-block h-5 w-5 rounded-full bg-white shadow transition', on ? 'translate-x-6' : 'translate-x-1')} />
          </button>
        </div>

        <div className="mt-5 rounded-xl border border-white/10 bg-ink-950/50 p-4">
          <div className="flex items-baseline justify-between">
            <span className="font-medium text-white">Firehose</span>
            <span className="text-sm text-slate-300">
              <span className="text-xl font-semibold text-white">${priceMonthlyUsd}</span>/month
            </span>
          </div>
          <ul className="mt-3 space-y-1.5 text-sm text-slate-300">
            {features.map((feature) => (
              <li key={feature} className="flex gap-2">
                <svg aria-hidden viewBox="0 0 20 20" className="mt-0.5 h-4 w-4 shrink-0 fill-brand-400"><path d="M16.7 5.3a1 1 0 0 1 0 1.4l-8 8a1 1 0 0 1-1.4 0l-4-4a1 1 0 1 1 1.4-1.4L8 12.6l7.3-7.3a1 1 0 0 1 1.4 0Z" /></svg>
                {feature}
              </li>
            ))}
          </ul>
        </div>

        {waiting ? (
          <p role="status" className="mt-4 flex items-center gap-2 text-sm text-brand-100">
            <span className="h-2 w-2 animate-pulse rounded-full bg-brand-400" /> Confirming your subscription with Stripe…
          </p>
        ) : null}
        {subscription?.status === 'past_due' ? (
          <p className="mt-4 rounded-lg border border-amber-400/30 bg-amber-500/10 px-3 py-2 text-sm text-amber-100">
            Your last payment failed. Streaming stays on while Stripe retries — update your card in billing.
          </p>
        ) : null}
        {on && subscription?.cancelAtPeriodEnd && periodEnd ? (
          <p className="mt-4 text-sm text-amber-200">Cancels at the end of the period, on {periodEnd}.</p>
        ) : null}
        {error ? <div className="mt-4"><FormError>{error}</FormError></div> : null}

        <div className="mt-5 border-t border-white/5 pt-4 text-sm">
          {billingMode === 'local' ? (
            <p className="flex gap-2 text-slate-400" data-testid="billing-mode">
              <Badge tone="amber">Billing disabled</Badge>
              <span>No Stripe keys on this instance: the switch changes your plan directly.</span>
            </p>
          ) : (
            <div className="flex flex-wrap items-center justify-between gap-3" data-testid="billing-mode">
              <span className="text-slate-400">Billed monthly through Stripe. Cancel any time.</span>
              {on || subscription ? (
                <Button variant="secondary" onClick={manage} disabled={pending}>Manage billing</Button>
              ) : null}
            </div>
          )}
        </div>
      </div>
    </Card>
  );
}
