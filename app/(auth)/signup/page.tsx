// Create an account. Signed-in visitors go straight to the dashboard.
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { Suspense } from 'react';
import { getSessionUser } from '@/app/_lib/auth';
import { AuthForm } from '@/components/dashboard/auth-form';
import { signUpAction } from './actions';

export const metadata: Metadata = { title: 'Create an account' };

export default async function Page() {
  if (await getSessionUser()) redirect('/dashboard');
  return (
    <Suspense>
      <AuthForm mode="signup" signUp={signUpAction} />
    </Suspense>
  );
}
