'use client';
// Two-factor sign-in on /settings: set up (QR code and secret for the app, then a code to confirm,
// then the recovery codes, shown once) or turn off (the password and a current or recovery code).
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Badge, Button, Card, CardHeader, FormError, Input } from '../dashboard/ui';

export interface TwoFactorActions {
  start: ServerAction<Record<string, never>, { secret: string; qr: string }>;
  confirm: ServerAction<{ code: string }, { recoveryCodes: string[] }>;
  disable: ServerAction<{ password: string; code: string }, { ok: boolean }>;
}

export function TwoFactorCard({ enabled, actions }: { enabled: boolean; actions: TwoFactorActions }) {
  const router = useRouter();
  const [setup, setSetup] = useState<{ secret: string; qr: string } | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const description = enabled
    ? 'On: signing in asks for a code from your authenticator app (or a recovery code) after the password.'
    : 'Ask for a code from an authenticator app after the password when signing in.';

  return (
    <Card data-testid="two-factor">
      <CardHeader title="Two-factor sign-in" description={description} action={enabled ? <Badge tone="green">On</Badge> : <Badge>Off</Badge>} />
      <div className="space-y-4 px-5 py-4 sm:px-6">
        {error ? <FormError>{error}</FormError> : null}
        {codes ? (
          <div>
            <p className="text-sm text-slate-200">Two-factor sign-in is on. Keep these recovery codes somewhere safe: each works once, instead of a code, if you lose your device. They are not shown again.</p>
            <ul className="mt-3 grid grid-cols-2 gap-1 font-mono text-sm text-white" data-testid="recovery-codes">
              {codes.map((c) => <li key={c}>{c}</li>)}
            </ul>
            <Button className="mt-3" variant="secondary" onClick={() => { setCodes(null); router.refresh(); }}>I saved them</Button>
          </div>
        ) : enabled ? (
          <form
            className="flex flex-col gap-2 sm:flex-row sm:items-end"
            onSubmit={(e) => {
              e.preventDefault();
              const form = new FormData(e.currentTarget);
              const password = String(form.get('password') ?? '');
              const code = String(form.get('code') ?? '');
              setError(null);
              startTransition(async () => {
                const result = await actions.disable({ password, code });
                if (!result.ok) return setError(result.error.message);
                router.refresh();
              });
            }}
          >
            <div className="flex-1">
              <label htmlFor="two-factor-password" className="mb-1.5 block text-sm font-medium text-slate-200">Password (to turn it off)</label>
              <Input id="two-factor-password" name="password" type="password" autoComplete="current-password" />
            </div>
            <div className="sm:w-44">
              <label htmlFor="two-factor-off-code" className="mb-1.5 block text-sm font-medium text-slate-200">Code or recovery code</label>
              <Input id="two-factor-off-code" name="code" autoComplete="one-time-code" maxLength={40} />
            </div>
            <Button type="submit" variant="danger" disabled={pending}>Turn off</Button>
          </form>
        ) : setup ? (
          <form
            className="space-y-3"
            onSubmit={(e) => {
              e.preventDefault();
              const code = String(new FormData(e.currentTarget).get('code') ?? '');
              setError(null);
              startTransition(async () => {
                const result = await actions.confirm({ code });
                if (!result.ok) return setError(result.error.message);
                setSetup(null);
                setCodes(result.data.recoveryCodes);
              });
            }}
          >
            <p className="text-sm text-slate-300">Scan this with your authenticator app, or type the key in:</p>
            {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL made on the server */}
            <img src={setup.qr} alt="QR code for your authenticator app" width={200} height={200} className="rounded bg-white p-1" />
            <p className="text-sm text-slate-300">Key: <code className="break-all font-mono text-white" data-testid="totp-secret">{setup.secret}</code></p>
            <div>
              <label htmlFor="totp-code" className="mb-1.5 block text-sm font-medium text-slate-200">Code from the app</label>
              <Input id="totp-code" name="code" inputMode="numeric" autoComplete="one-time-code" maxLength={6} />
            </div>
            <Button type="submit" disabled={pending}>Turn on</Button>
          </form>
        ) : (
          <Button
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                setError(null);
                const result = await actions.start({});
                if (!result.ok) return setError(result.error.message);
                setSetup(result.data);
              })
            }
          >
            Set up two-factor sign-in
          </Button>
        )}
      </div>
    </Card>
  );
}
