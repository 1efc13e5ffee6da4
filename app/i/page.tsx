// /i?value=… — check an indicator without an account: the value (defanged or not) is normalised and
// the browser sent to its page, /i/{type}/{value}, which shows its public sightings or "not seen
// yet". A plain GET form (works without JavaScript).
import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LookupForm } from '@/components/threats/lookup-form';
import { parseIndicator } from '@/lib/indicators/parse-indicator';
import { indicatorPath } from '@/lib/threats';

export const metadata: Metadata = { title: 'Check an indicator' };

export default async function LookupPage({ searchParams }: { searchParams: Promise<{ value?: string | string[] }> }) {
  const raw = (await searchParams).value;
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim().slice(0, 4096) ?? '';
  const parsed = value ? parseIndicator(value) : null;
  if (parsed?.ok) redirect(indicatorPath(parsed.type, parsed.value));

  return (
    <div className="mx-auto max-w-3xl px-4 pt-12 pb-24 sm:px-6 sm:pt-16">
      <p className="text-xs font-semibold tracking-[0.2em] text-brand-400 uppercase">Public lookup</p>
      <h1 className="mt-2 text-3xl font-semibold tracking-tight text-white">Check an indicator</h1>
      <p className="mt-2 text-slate-400">See whether any public feed has reported an IP, network, domain, URL, email or file hash.</p>
      <div className="mt-6">
        <LookupForm defaultValue={value} autoFocus />
      </div>
      {parsed && !parsed.ok ? (
        <p role="alert" className="mt-3 text-sm break-words text-rose-300">
          Not an indicator Sluice knows: {parsed.reason}.
        </p>
      ) : null}
    </div>
  );
}
