'use client';
// Password change on /settings: the current password, a new one; every other device is signed out.
import { useRef, useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Button, Card, CardHeader, FormError, Input } from '../dashboard/ui';

export function ChangePasswordForm({
  action,
}: {
  action: ServerAction<{ currentPassword: string; newPassword: string }, { endedSessions: number }>;
}) {
  const form = useRef<HTMLFormElement>(null);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const fieldError = (field: string) => (error?.field === field ? error.message : null);
  const general = error && error.field !== 'currentPassword' && error.field !== 'password' && error.field !== 'newPassword' ? error.message : null;

  return (
    <Card data-testid="change-password">
      <CardHeader title="Password" description="Changing it signs out every other device. We email you a notice." />
      <form
        ref={form}
        className="space-y-4 px-5 py-4 sm:px-6"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          setError(null);
          setDone(null);
          startTransition(async () => {
            const result = await action({ currentPassword: String(data.get('currentPassword') ?? ''), newPassword: String(data.get('newPassword') ?? '') });
            if (!result.ok) return setError(result.error);
            form.current?.reset();
            const n = result.data.endedSessions;
            setDone(`Password changed.${n ? ` ${n} other device${n === 1 ? ' was' : 's were'} signed out.` : ''}`);
          });
        }}
      >
        <div>
          <label htmlFor="current-password" className="mb-1.5 block text-sm font-medium text-slate-200">Current password</label>
          <Input id="current-password" name="currentPassword" type="password" autoComplete="current-password" required aria-invalid={!!fieldError('currentPassword')} />
          {fieldError('currentPassword') ? <p role="alert" className="mt-1.5 text-sm text-rose-300">{fieldError('currentPassword')}</p> : null}
        </div>
        <div>
          <label htmlFor="new-password" className="mb-1.5 block text-sm font-medium text-slate-200">New password</label>
          <Input id="new-password" name="newPassword" type="password" autoComplete="new-password" required aria-invalid={!!fieldError('password')} />
          {fieldError('password') ? (
            <p role="alert" className="mt-1.5 text-sm text-rose-300">{fieldError('password')}</p>
          ) : (
            <p className="mt-1.5 text-xs text-slate-500">At least 10 characters. A passphrase works well.</p>
          )}
        </div>
        {general ? <FormError>{general}</FormError> : null}
        {done ? <p role="status" className="text-sm text-emerald-400">{done}</p> : null}
        <Button type="submit" disabled={pending}>{pending ? 'Changing…' : 'Change password'}</Button>
      </form>
    </Card>
  );
}
