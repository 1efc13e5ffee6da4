'use client';
// "Delete account" on /settings: what goes and what is recomputed, then the password (and a
// two-factor or recovery code when 2FA is on) to schedule the deletion after the cooling-off period.
// While one is pending the section (and DeletionPendingBanner on the dashboard) offers to cancel.
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Badge, Button, Card, CardHeader, FormError, Input } from '../dashboard/ui';

export interface DeleteAccountActions {
  schedule: ServerAction<{ password: string; code?: string }, { dueAt: string }>;
  cancel: ServerAction<Record<string, never>, { cancelled: boolean }>;
}

const formatDue = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

function CancelDeletionButton({ cancel, onError }: { cancel: DeleteAccountActions['cancel']; onError: (message: string) => void }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="secondary"
      disabled={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await cancel({});
          if (!result.ok) return onError(result.error.message);
          if (!result.data.cancelled) return onError('There was no pending deletion to cancel.');
          router.refresh();
        })
      }
    >
      {pending ? 'Cancelling…' : 'Cancel deletion'}
    </Button>
  );
}

/** The banner while a deletion is pending: the date, what is suspended, and "Cancel deletion". */
export function DeletionPendingBanner({ dueAt, cancel, className = 'mt-6' }: { dueAt: string; cancel: DeleteAccountActions['cancel']; className?: string }) {
  const [error, setError] = useState<string | null>(null);
  return (
    <div
      role="region"
      aria-label="Account deletion pending"
      data-testid="deletion-pending"
      className={`${className} flex flex-col gap-3 rounded-xl border border-rose-400/30 bg-rose-500/10 px-4 py-3 text-sm text-rose-100 sm:flex-row sm:items-center sm:justify-between`}
    >
      <p>
        This account will be deleted on <span className="font-medium">{formatDue(dueAt)}</span>. Until then its API tokens are refused and its streams
        are ended; cancelling restores them.
        {error ? <span role="alert" className="block pt-1 text-rose-200">{error}</span> : null}
      </p>
      <CancelDeletionButton cancel={cancel} onError={setError} />
    </div>
  );
}

export function DeleteAccountCard({
  dueAt,
  coolingOffDays,
  twoFactor,
  subscriptionActive,
  actions,
}: {
  /** ISO time of the pending deletion, or null. */
  dueAt: string | null;
  coolingOffDays: number;
  twoFactor: boolean;
  /** Stripe still bills the account: deletion is refused until it is cancelled in the billing portal. */
  subscriptionActive: boolean;
  actions: DeleteAccountActions;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const period = coolingOffDays === 0 ? 'within minutes' : `after ${coolingOffDays} day${coolingOffDays === 1 ? '' : 's'}`;

  return (
    <Card data-testid="delete-account">
      <CardHeader
        title="Delete account"
        description={`Deletes this account ${period}; until then you can cancel.`}
        action={dueAt ? <Badge tone="rose">Scheduled</Badge> : null}
      />
      <div className="space-y-4 px-5 py-4 text-sm text-slate-300 sm:px-6">
        {dueAt ? (
          <DeletionPendingBanner dueAt={dueAt} cancel={actions.cancel} className="" />
        ) : (
          <>
            <ul className="list-disc space-y-1 pl-5">
              <li>Removed: your API tokens, feeds, sightings, webhooks, sessions, signed-in devices and addresses, two-factor and recovery codes, and your email address, name and password.</li>
              <li>Indicators you reported publicly are recounted without your reports; those only you reported leave the public views.</li>
              <li>From the moment you confirm, your API tokens are refused and your live streams end. Sign in and cancel before the date to keep everything.</li>
              <li>We mail you the date and how to cancel.</li>
            </ul>
            {error ? <FormError>{error}</FormError> : null}
            {subscriptionActive ? (
              <p className="rounded-lg border border-amber-400/30 bg-amber-500/10 px-3 py-2 text-amber-100" data-testid="delete-account-subscription">
                Your Firehose subscription is still active. Cancel it in the billing portal (Dashboard → Plan → Manage billing) first, then delete the account.
              </p>
            ) : (
              <form
                className="flex flex-col gap-3 sm:flex-row sm:items-end"
                onSubmit={(e) => {
                  e.preventDefault();
                  const form = new FormData(e.currentTarget);
                  const password = String(form.get('password') ?? '');
                  const code = twoFactor ? String(form.get('code') ?? '') : undefined;
                  setError(null);
                  startTransition(async () => {
                    const result = await actions.schedule({ password, code });
                    if (!result.ok) return setError(result.error.message);
                    router.refresh();
                  });
                }}
              >
                <div className="flex-1">
                  <label htmlFor="delete-account-password" className="mb-1.5 block text-sm font-medium text-slate-200">Current password</label>
                  <Input id="delete-account-password" name="password" type="password" autoComplete="current-password" required />
                </div>
                {twoFactor ? (
                  <div className="flex-1">
                    <label htmlFor="delete-account-code" className="mb-1.5 block text-sm font-medium text-slate-200">Two-factor or recovery code</label>
                    <Input id="delete-account-code" name="code" autoComplete="one-time-code" maxLength={40} required />
                  </div>
                ) : null}
                <Button type="submit" variant="danger" disabled={pending}>{pending ? 'Scheduling…' : 'Delete my account'}</Button>
              </form>
            )}
          </>
        )}
      </div>
    </Card>
  );
}
