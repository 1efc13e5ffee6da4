'use client';
// Ask for a password reset link. The answer never says whether the address has an account.
import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Button, FormError, Input } from '../dashboard/ui';

export function ForgotPasswordForm({ action }: { action: ServerAction<{ email: string }, { message: string }> }) {
  const [error, setError] = useState<string | null>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <div className="rounded-2xl border border-white/10 bg-white/[0.03] p-6 shadow-2xl shadow-black/30 sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight text-white">Forgot your password?</h1>
      <p className="mt-1 text-sm text-slate-400">Enter your email address and we will send you a link to choose a new one.</p>
      {sent ? (
        <p role="status" className="mt-6 rounded-lg border border-emerald-500/30 bg-emerald-500/10 px-3 py-2 text-sm text-emerald-200">{sent}</p>
      ) : (
        <form
          className="mt-6 space-y-4"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const email = String(new FormData(e.currentTarget).get('email') ?? '');
            setError(null);
            startTransition(async () => {
              const result = await action({ email });
              if (!result.ok) return setError(result.error.message);
              setSent(result.data.message);
            });
          }}
        >
          <div>
            <label htmlFor="email" className="mb-1.5 block text-sm font-medium text-slate-200">Email</label>
            <Input id="email" name="email" type="email" autoComplete="email" required />
          </div>
          {error ? <FormError>{error}</FormError> : null}
          <Button type="submit" disabled={pending} className="w-full py-2.5">{pending ? 'Sending…' : 'Send reset link'}</Button>
        </form>
      )}
      <p className="mt-6 text-center text-sm text-slate-400">
        Remembered it? <Link href="/login" className="font-medium text-brand-400 hover:text-brand-100">Sign in</Link>
      </p>
    </div>
  );
}
