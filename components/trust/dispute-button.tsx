'use client';
// "Report a false positive" on the indicator page (docs/trust.md): asks for a reason, sends the
// dispute through the server action the page hands in, and says clearly what happened — including
// when the user already reported this value (one dispute per user and value).
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';

export type DisputeAction = ServerAction<{ type: string; value: string; reason: string }, { id: string; created: boolean; reason: string; createdAt: string }>;

export function DisputeButton({ type, value, action }: { type: string; value: string; action: DisputeAction }) {
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<{ created: boolean; reason: string } | null>(null);
  const [pending, start] = useTransition();

  if (done) {
    return (
      <p role="status" className="mt-3 rounded-lg border border-emerald-400/30 bg-emerald-400/5 p-3 text-sm text-emerald-200" data-testid="dispute-status">
        {done.created
          ? 'Thanks: your false-positive report is in the operators’ queue. Until they decide, it lowers the confidence subscribers see.'
          : 'You already reported this value; your report is in the operators’ queue.'}{' '}
        <span className="text-emerald-300/80">Your reason: “{done.reason}”</span>
      </p>
    );
  }
  if (!open) {
    return (
      <button type="button" onClick={() => setOpen(true)} className="mt-3 rounded-lg border border-white/15 px-3 py-1.5 text-sm text-slate-200 hover:bg-white/5">
        Report a false positive
      </button>
    );
  }
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    start(async () => {
      const result = await action({ type, value, reason });
      if (result.ok) setDone({ created: result.data.created, reason: result.data.reason });
      else setError(result.error.message);
    });
  };
  return (
    <form onSubmit={submit} className="mt-3 max-w-xl space-y-2" aria-label="Report a false positive">
      <label htmlFor="dispute-reason" className="block text-sm text-slate-300">
        Why is this value not malicious?
      </label>
      <textarea
        id="dispute-reason"
        required
        maxLength={1000}
        rows={3}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        placeholder="e.g. it is our CDN edge; we operate this address"
        className="w-full rounded-lg border border-white/15 bg-black/40 p-2 text-sm text-slate-100"
      />
      {error ? (
        <p role="alert" className="text-sm text-rose-300">
          {error}
        </p>
      ) : null}
      <div className="flex gap-2">
        <button type="submit" disabled={pending || !reason.trim()} className="rounded-lg bg-amber-500/90 px-3 py-1.5 text-sm font-medium text-black disabled:opacity-50">
          {pending ? 'Sending…' : 'Send report'}
        </button>
        <button type="button" onClick={() => setOpen(false)} className="rounded-lg px-3 py-1.5 text-sm text-slate-400 hover:text-white">
          Cancel
        </button>
      </div>
    </form>
  );
}
