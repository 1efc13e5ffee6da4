'use client';
// The dashboard's notice until the address is confirmed, with "resend".
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Button } from '../dashboard/ui';

export function VerifyEmailNotice({ email, resendAction }: { email: string; resendAction: ServerAction<Record<string, never>, { sent: boolean }> }) {
  const [message, setMessage] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div role="region" aria-label="Confirm your email" data-testid="verify-email" className="mt-6 flex flex-col gap-3 rounded-xl border border-amber-400/30 bg-amber-500/10 px-4 py-3 text-sm text-amber-100 sm:flex-row sm:items-center sm:justify-between">
      <p>
        Confirm your email address: we sent a link to <span className="font-medium">{email}</span>. Until then your public sightings are held from the
        firehose and paid plans cannot be bought.
        {message ? <span role="status" className="block pt-1 text-amber-200">{message}</span> : null}
      </p>
      <Button
        variant="secondary"
        disabled={pending}
        onClick={() =>
          startTransition(async () => {
            const result = await resendAction({});
            setMessage(result.ok ? (result.data.sent ? 'Sent. Check your inbox.' : 'Your address is already confirmed.') : result.error.message);
          })
        }
      >
        {pending ? 'Sending…' : 'Resend the link'}
      </Button>
    </div>
  );
}
