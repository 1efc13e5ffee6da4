// /i/{type}/{value} for an indicator no public feed has reported: "not seen yet" (a 404, exactly
// the same whether nobody or only private feeds saw it), with a form to check another value and
// how to check or report it through the API.
import type { Metadata } from 'next';
import { NotFoundPanel } from '@/components/not-found-panel';
import { LookupForm } from '@/components/threats/lookup-form';
import { NotSeenValue } from '@/components/threats/not-seen-value';

export const metadata: Metadata = { title: 'Indicator not seen yet', robots: { index: false } };

export default function IndicatorNotFound() {
  return (
    <NotFoundPanel title="Not seen yet">
      <p className="mt-3 max-w-2xl text-slate-400">
        No public feed has reported <NotSeenValue /> so far. That is not a clean bill of health: it only means nobody has shared it here yet.
      </p>
      <div className="mt-8 max-w-2xl rounded-xl border border-white/10 bg-white/[0.025] p-4 sm:p-5">
        <h2 className="text-sm font-medium text-white">Check an indicator</h2>
        <p className="mt-1 text-xs text-slate-400">IPs, networks, domains, URLs, emails and hashes; defanged input is fine.</p>
        <div className="mt-3">
          <LookupForm />
        </div>
        <p className="mt-4 text-xs text-slate-400">
          With a token, <a href="/docs#rest" className="text-brand-400 hover:text-brand-100">GET /api/v1/check/…</a> also includes your
          own private sightings and queues an analysis; <a href="/docs#submit" className="text-brand-400 hover:text-brand-100">report it</a> into
          one of your feeds if you have seen it.
        </p>
      </div>
    </NotFoundPanel>
  );
}
