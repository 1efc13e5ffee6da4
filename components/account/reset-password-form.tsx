'use client';
// Choose a new password from a reset link; afterwards every device is signed out and the user signs in.
import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Button, FormError, Input } from '../dashboard/ui';

export function ResetPasswordForm({ token, action }: { token: string; action: ServerAction<{ token: string; password: string }, { email: string }> }) {
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [done, setDone] = useState(false);
  const [pending, startTransition] = useTransition();
  const passwordError = error?.field === 'password' ? error.message : null;
  return (
    <div className="rounded-2xl border border-white/10 bg-white/[0.03] p-6 shadow-2xl shadow-black/30 sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight text-white">Choose a new password</h1>
      {done ? (
        <>
          <p role="status" className="mt-4 text-sm text-emerald-300">Your password was changed and every device was signed out.</p>
          <p className="mt-6 text-sm">
            <Link href="/login" className="font-medium text-brand-400 hover:text-brand-100">Sign in with your new password</Link>
          </p>
        </>
      ) : (
        <form
          className="mt-6 space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const password = String(new FormData(e.currentTarget).get('password') ?? '');
            setError(null);
            startTransition(async () => {
              const result = await action({ token, password });
              if (!result.ok) return setError(result.error);
              setDone(true);
            });
          }}
        >
          <div>
            <label htmlFor="password" className="mb-1.5 block text-sm font-medium text-slate-200">New password</label>
            <Input id="password" name="password" type="password" autoComplete="new-password" required aria-invalid={!!passwordError} />
            {passwordError ? (
              <p role="alert" className="mt-1.5 text-sm text-rose-300">{passwordError}</p>
            ) : (
              <p className="mt-1.5 text-xs text-slate-500">At least 10 characters. A passphrase works well.</p>
            )}
          </div>
          {error && !passwordError ? <FormError>{error.message}</FormError> : null}
          <Button type="submit" disabled={pending} className="w-full py-2.5">{pending ? 'Saving…' : 'Set new password'}</Button>
        </form>
      )}
    </div>
  );
}
