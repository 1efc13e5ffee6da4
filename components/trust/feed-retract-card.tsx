'use client';
// The dashboard's feed view control to retract a value from one of your feeds (docs/trust.md):
// pick the feed, give the value and a reason, confirm; the answer says whether the value left the
// public views (and subscribers got a `retracted` event) or stays public through other reporters.
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import { Button, Card, CardHeader, FormError, Input } from '@/components/dashboard/ui';

export type RetractFromFeedAction = ServerAction<
  { feed: string; value: string; reason: string },
  { type: string; value: string; status: 'retracted' | 'already_retracted'; sightings: number; stillPublic: boolean; retractedEvent: boolean }
>;

export function FeedRetractCard({ feeds, action }: { feeds: { slug: string; name: string }[]; action: RetractFromFeedAction }) {
  const router = useRouter();
  const [feed, setFeed] = useState(feeds[0]?.slug ?? '');
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [pending, start] = useTransition();
  if (!feeds.length) return null;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    setMessage(null);
    if (!confirming) return setConfirming(true);
    start(async () => {
      const result = await action({ feed, value, reason });
      setConfirming(false);
      if (!result.ok) return setError(result.error.message);
      const r = result.data;
      setValue('');
      setReason('');
      setMessage(
        r.status === 'already_retracted'
          ? `${r.value} was already retracted from ${feed}.`
          : r.stillPublic
            ? `Retracted ${r.sightings} sighting${r.sightings === 1 ? '' : 's'} of ${r.value} from ${feed}. Other reporters keep it public.`
            : `Retracted ${r.value} from ${feed}: it left the public views${r.retractedEvent ? ' and subscribers received a retracted event' : ''}.`,
      );
      router.refresh();
    });
  };

  return (
    <Card aria-labelledby="retract-title">
      <CardHeader title="Retract from a feed" description="Withdraw a value you reported by mistake. You still see your sightings; if no one else reports it, it leaves /threats and subscribers are told." />
      <h2 id="retract-title" className="sr-only">Retract from a feed</h2>
      <form onSubmit={submit} className="space-y-3 px-5 pb-5 sm:px-6" aria-label="Retract a value from a feed">
        <div className="flex flex-col gap-2 sm:flex-row">
          <select
            aria-label="Feed"
            value={feed}
            onChange={(e) => (setFeed(e.target.value), setConfirming(false))}
            // A long feed name must not size the control past its card: the select shrinks, its text is cut.
            className="w-full min-w-0 truncate rounded-lg border border-white/10 bg-ink-950/80 px-3 py-2 text-sm text-slate-100 sm:w-auto sm:max-w-[45%]"
          >
            {feeds.map((f) => (
              <option key={f.slug} value={f.slug}>
                {f.name} ({f.slug})
              </option>
            ))}
          </select>
          <Input aria-label="Value to retract" required maxLength={4096} placeholder="value, e.g. 45.83.64.1" value={value} onChange={(e) => (setValue(e.target.value), setConfirming(false))} className="flex-1" />
        </div>
        <Input aria-label="Reason" required maxLength={500} placeholder="reason (shown to subscribers)" value={reason} onChange={(e) => setReason(e.target.value)} />
        {error ? <FormError>{error}</FormError> : null}
        {message ? (
          <p role="status" className="text-sm text-emerald-300 [overflow-wrap:anywhere]">
            {message}
          </p>
        ) : null}
        <div className="flex min-w-0 items-center gap-2">
          <Button type="submit" className="min-w-0 max-w-full" variant={confirming ? 'danger' : 'secondary'} disabled={pending || !value.trim() || !reason.trim()}>
            {pending ? 'Retracting…' : confirming ? <span className="block min-w-0 max-w-full truncate">Confirm: retract from {feed}</span> : 'Retract'}
          </Button>
          {confirming ? (
            <Button type="button" variant="ghost" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          ) : null}
        </div>
      </form>
    </Card>
  );
}
