// Forgot password: ask for a reset link by email.
import type { Metadata } from 'next';
import { ForgotPasswordForm } from '@/components/account/forgot-password-form';
import { requestResetAction } from './actions';

export const metadata: Metadata = { title: 'Forgot password' };

export default function Page() {
  return <ForgotPasswordForm action={requestResetAction} />;
}
