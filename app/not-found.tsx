// Every unknown page: the site's own 404 (dark, with the header and footer), not Next's default.
import type { Metadata } from 'next';
import { NotFoundPanel } from '@/components/not-found-panel';
import { LookupForm } from '@/components/threats/lookup-form';

export const metadata: Metadata = { title: 'Page not found', robots: { index: false } };

export default function NotFound() {
  return (
    <NotFoundPanel title="This page does not exist">
      <p className="mt-3 max-w-2xl text-slate-400">The link may be mistyped or out of date. Looking for an indicator? Check it here:</p>
      <div className="mt-6 max-w-2xl">
        <LookupForm />
      </div>
    </NotFoundPanel>
  );
}
