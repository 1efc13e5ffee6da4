// The indicator page's trust notes (docs/trust.md): distinct reporters and overridden warning lists
// on a public value, the "Report a false positive" button; "retracted" with when and why for a
// withdrawn one.
import Link from 'next/link';
import { getSessionUser } from '@/app/_lib/auth';
import { DisputeButton } from '@/components/trust/dispute-button';
import { defang } from '@/lib/indicators/defang';
import type { IndicatorType } from '@/lib/indicators/types';
import { getRuntime } from '@/lib/runtime';
import { formatUtc, TYPE_LABELS } from '@/lib/threats';
import { getTrustFacts } from '@/lib/trust/facts';
import { indicatorPath } from '@/lib/threats';
import { reportFalsePositiveAction } from './dispute-action';

type Indicator = { type: IndicatorType; value: string };

export async function TrustNote({ indicator }: { indicator: Indicator }) {
  const facts = await getTrustFacts(getRuntime().db.sql, indicator);
  return (
    <p className="mt-4 text-sm text-slate-400" data-testid="trust-note">
      Reported by {facts.reporters} distinct reporter{facts.reporters === 1 ? '' : 's'}.
      {facts.warnings.length ? (
        <>
          {' '}On warning list{facts.warnings.length === 1 ? '' : 's'} <span className="font-mono text-amber-300">{facts.warnings.join(', ')}</span>: published
          only because enough distinct reporters corroborated it.
        </>
      ) : null}
      {facts.openDisputes ? ` ${facts.openDisputes} open dispute${facts.openDisputes === 1 ? '' : 's'} (false-positive reports) lower its confidence.` : null}
    </p>
  );
}

/** "Report a false positive" for signed-in users; a sign-in link for everyone else. */
export async function DisputeSection({ indicator }: { indicator: Indicator }) {
  let signedIn = false;
  try {
    signedIn = (await getSessionUser()) !== null;
  } catch {
    // an ended or unreadable session reads as signed out
  }
  if (!signedIn) {
    return (
      <p className="mt-2 text-xs text-slate-500">
        Not malicious?{' '}
        <Link href={`/login?callbackUrl=${encodeURIComponent(indicatorPath(indicator.type, indicator.value))}`} className="text-slate-300 underline hover:text-white">
          Sign in
        </Link>{' '}
        to report a false positive.
      </p>
    );
  }
  return <DisputeButton type={indicator.type} value={indicator.value} action={reportFalsePositiveAction} />;
}

export function RetractedNotice({ indicator, retraction }: { indicator: Indicator; retraction: { at: string; reason: string } }) {
  return (
    <div className="mx-auto max-w-3xl px-4 py-16 sm:px-6">
      <p className="text-sm text-slate-400">{TYPE_LABELS[indicator.type]}</p>
      <h1 className="mt-1 font-mono text-2xl break-all text-white">{defang(indicator.type, indicator.value)}</h1>
      <div role="status" className="mt-6 rounded-xl border border-amber-400/30 bg-amber-400/5 p-4 sm:p-5">
        <h2 className="font-medium text-amber-200">Retracted</h2>
        <p className="mt-1 text-slate-300">
          An operator withdrew this value on {formatUtc(retraction.at)}: {retraction.reason}
        </p>
        <p className="mt-2 text-xs text-slate-400">
          It is no longer on /threats or in the exports; firehose subscribers received a <code>retracted</code> event. Stop acting on it.
        </p>
      </div>
    </div>
  );
}
