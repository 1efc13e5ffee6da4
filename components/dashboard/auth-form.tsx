'use client';
// The sign-in and sign-up form: one component, two modes, errors next to the field they concern.
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { signIn } from 'next-auth/react';
import { useState, useTransition } from 'react';
import { TWO_FACTOR_REQUIRED_MESSAGE, WRONG_CODE_MESSAGE } from '@/lib/accounts/two-factor-messages';
import type { ServerAction } from '@/lib/action-result';
import { safeRedirectPath } from '@/lib/safe-redirect';
import { Button, FormError, Input } from './ui';

/** `signUp` is the sign-up server action, passed by the sign-up page (components do not import app/). */
export function AuthForm({ mode, signUp }: { mode: 'signin' | 'signup'; signUp?: ServerAction<{ email: string; password: string }, { email: string }> }) {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [pending, startTransition] = useTransition();
  // Two-factor sign-in: after a right password the server asks for a code; the form shows a field.
  const [needCode, setNeedCode] = useState(false);

  // onSubmit rather than a form action: React resets action forms, and a typo should not cost the email.
  function submit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const email = String(form.get('email') ?? '');
    const password = String(form.get('password') ?? '');
    const code = String(form.get('code') ?? '');
    setError(null);
    startTransition(async () => {
      if (mode === 'signup') {
        if (!signUp) throw new Error('AuthForm in sign-up mode needs the signUp action');
        const created = await signUp({ email, password });
        if (!created.ok) return setError(created.error);
      }
      const result = await signIn('credentials', { email, password, ...(needCode ? { code } : {}), redirect: false });
      if (result?.error === TWO_FACTOR_REQUIRED_MESSAGE || (needCode && result?.error === WRONG_CODE_MESSAGE)) {
        setNeedCode(true);
        return setError(needCode ? { message: result.error, field: 'code' } : null);
      }
      if (mode === 'signup' && (!result || result.error === 'CredentialsSignin' || result.error === 'Wrong email or password.')) {
        // The sign-up answer is the same for a taken address (no account enumeration): only then
        // does this sign-in fail, and the address's owner got an email about it.
        return setError({ message: 'We could not create an account with these details. Check your email: if this address already has an account, we sent it a message. Sign in, or reset your password.' });
      }
      if (!result || result.error) {
        return setError({ message: result?.error && result.error !== 'CredentialsSignin' ? result.error : 'Wrong email or password.' });
      }
      // Resolved against this page's origin at the moment of leaving: only a path on this site.
      router.replace(safeRedirectPath(params.get('callbackUrl'), window.location.origin));
      router.refresh();
    });
  }

  const emailError = error?.field === 'email' ? error.message : null;
  const passwordError = error?.field === 'password' ? error.message : null;
  const generalError = error && !emailError && !passwordError ? error.message : null;

  return (
    <div className="rounded-2xl border border-white/10 bg-white/[0.03] p-6 shadow-2xl shadow-black/30 sm:p-8">
      <h1 className="text-2xl font-semibold tracking-tight text-white">{mode === 'signup' ? 'Create your account' : 'Welcome back'}</h1>
      <p className="mt-1 text-sm text-slate-400">
        {mode === 'signup' ? 'Free forever for lookups and submissions. Flick on the Firehose when you need it.' : 'Sign in to manage your tokens and plan.'}
      </p>
      <form onSubmit={submit} className="mt-6 space-y-4" noValidate>
        <div>
          <label htmlFor="email" className="mb-1.5 block text-sm font-medium text-slate-200">Email</label>
          <Input id="email" name="email" type="email" autoComplete="email" required aria-invalid={!!emailError} aria-describedby={emailError ? 'email-error' : undefined} />
          {emailError ? <p id="email-error" role="alert" className="mt-1.5 text-sm text-rose-300">{emailError}</p> : null}
        </div>
        <div>
          <label htmlFor="password" className="mb-1.5 block text-sm font-medium text-slate-200">Password</label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete={mode === 'signup' ? 'new-password' : 'current-password'}
            required
            aria-invalid={!!passwordError}
            aria-describedby={passwordError ? 'password-error' : mode === 'signup' ? 'password-hint' : undefined}
          />
          {passwordError ? (
            <p id="password-error" role="alert" className="mt-1.5 text-sm text-rose-300">{passwordError}</p>
          ) : mode === 'signup' ? (
            <p id="password-hint" className="mt-1.5 text-xs text-slate-500">At least 10 characters. A passphrase works well.</p>
          ) : null}
        </div>
        {needCode ? (
          <div>
            <label htmlFor="code" className="mb-1.5 block text-sm font-medium text-slate-200">Two-factor code</label>
            <Input id="code" name="code" autoComplete="one-time-code" autoFocus aria-describedby="code-hint" aria-invalid={error?.field === 'code'} />
            <p id="code-hint" className="mt-1.5 text-xs text-slate-500">{TWO_FACTOR_REQUIRED_MESSAGE}</p>
          </div>
        ) : null}
        {generalError ? <FormError>{generalError}</FormError> : null}
        {mode === 'signin' ? (
          <p className="text-right text-sm">
            <Link href="/forgot-password" className="text-slate-400 hover:text-white">Forgot your password?</Link>
          </p>
        ) : null}
        <Button type="submit" disabled={pending} className="w-full py-2.5">
          {pending ? (mode === 'signup' ? 'Creating account…' : 'Signing in…') : mode === 'signup' ? 'Create account' : 'Sign in'}
        </Button>
      </form>
      <p className="mt-6 text-center text-sm text-slate-400">
        {mode === 'signup' ? (
          <>Already have an account? <Link href="/login" className="font-medium text-brand-400 hover:text-brand-100">Sign in</Link></>
        ) : (
          <>New to Sluice? <Link href="/signup" className="font-medium text-brand-400 hover:text-brand-100">Create an account</Link></>
        )}
      </p>
    </div>
  );
}
