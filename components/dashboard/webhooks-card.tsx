'use client';
// Outbound webhooks on the dashboard: each endpoint with its delivery health (last success, last
// error, backlog, dead letters), a notice when it was paused for failing, and pause/resume, replay
// from a cursor and delete. Endpoints are registered through the API or `sluice webhook add`.
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import type { WebhookView } from '@/lib/webhooks/views';
import { Badge, Button, Card, CardHeader, FormError, Input } from './ui';

export interface WebhookActions {
  setPaused: ServerAction<{ id: string; paused: boolean }, { id: string; state: string }>;
  replay: ServerAction<{ id: string; since: string }, { id: string; cursor: string | null }>;
  remove: ServerAction<{ id: string }, { id: string }>;
}

function ago(iso: string | null, now: string): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

function WebhookItem({ hook, now, actions, onError }: { hook: WebhookView; now: string; actions: WebhookActions; onError: (m: string | null) => void }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [replaying, setReplaying] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const h = hook.health;
  const run = (fn: () => Promise<{ ok: boolean; error?: { message: string } }>) =>
    start(async () => {
      onError(null);
      const result = await fn();
      if (!result.ok) return onError(result.error?.message ?? 'failed');
      setReplaying(false);
      setConfirming(false);
      router.refresh();
    });
  const tone = hook.state === 'paused' ? 'amber' : hook.entitlement !== 'ok' ? 'rose' : h.attempts > 0 ? 'amber' : 'green';
  const label = hook.state === 'paused' ? 'Paused' : hook.entitlement !== 'ok' ? 'Waiting' : h.attempts > 0 ? 'Retrying' : 'Active';
  return (
    <li className="px-5 py-4 sm:px-6" data-testid="webhook-row">
      <div className="flex flex-wrap items-center gap-2">
        <p className="min-w-0 flex-1 truncate font-mono text-sm text-white" title={hook.url}>{hook.url}</p>
        <Badge tone={tone}>{label}</Badge>
      </div>
      {hook.state === 'paused' && hook.pausedReason === 'failing' ? (
        <p role="status" className="mt-2 rounded-lg border border-amber-400/30 bg-amber-500/10 px-3 py-2 text-sm text-amber-100">
          Paused because deliveries kept failing ({h.deadLetters} batches dead-lettered). Fix the receiver, then resume: delivery continues from the stored cursor.
        </p>
      ) : null}
      {hook.entitlement !== 'ok' ? (
        <p className="mt-2 text-sm text-rose-200">
          Deliveries wait: {hook.entitlement === 'plan_ended'
            ? 'webhooks need the Firehose plan'
            : hook.entitlement === 'token_expired'
              ? 'the token that registered this webhook expired'
              : 'the token that registered this webhook was revoked'}.
        </p>
      ) : null}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-slate-400 sm:grid-cols-4">
        <div><dt>Last success</dt><dd className="text-slate-200">{ago(h.lastSuccessAt, now)}</dd></div>
        <div><dt>Delivered</dt><dd className="tabular-nums text-slate-200">{h.deliveredEvents.toLocaleString('en')} events</dd></div>
        <div><dt>Backlog</dt><dd className="tabular-nums text-slate-200">{h.backlog.toLocaleString('en')}</dd></div>
        <div><dt>Dead letters</dt><dd className="tabular-nums text-slate-200">{h.deadLetters}</dd></div>
      </dl>
      {h.lastError ? (
        <p className="mt-2 break-words text-xs text-rose-200/90">
          Last error {ago(h.lastErrorAt, now)}: <span className="font-mono">{h.lastError}</span>
        </p>
      ) : null}
      <p className="mt-1 font-mono text-[11px] text-slate-500">id {hook.id} · cursor {hook.cursor ?? '—'} · secret {hook.secretHint}</p>
      <div className="mt-3 flex flex-wrap gap-2">
        <Button variant="secondary" disabled={pending} onClick={() => run(() => actions.setPaused({ id: hook.id, paused: hook.state === 'active' }))}>
          {hook.state === 'active' ? 'Pause' : 'Resume'}
        </Button>
        <Button variant="secondary" disabled={pending} onClick={() => setReplaying((v) => !v)}>Replay…</Button>
        {confirming ? (
          <>
            <Button variant="danger" disabled={pending} onClick={() => run(() => actions.remove({ id: hook.id }))}>Delete for good</Button>
            <Button variant="ghost" onClick={() => setConfirming(false)}>Cancel</Button>
          </>
        ) : (
          <Button variant="ghost" disabled={pending} onClick={() => setConfirming(true)}>Delete</Button>
        )}
      </div>
      {replaying ? (
        <form
          className="mt-3 flex flex-col gap-2 sm:flex-row"
          onSubmit={(e) => {
            e.preventDefault();
            const since = String(new FormData(e.currentTarget).get('since') ?? '');
            run(() => actions.replay({ id: hook.id, since }));
          }}
        >
          <label className="sr-only" htmlFor={`since-${hook.id}`}>Replay after cursor</label>
          <Input id={`since-${hook.id}`} name="since" placeholder="cursor, e.g. 1795311570422-4711" defaultValue={hook.cursor ?? ''} className="font-mono" />
          <Button type="submit" disabled={pending}>Replay from here</Button>
        </form>
      ) : null}
    </li>
  );
}

export function WebhooksCard({ webhooks, now, actions }: { webhooks: WebhookView[]; now: string; actions: WebhookActions }) {
  const [error, setError] = useState<string | null>(null);
  const paused = webhooks.filter((w) => w.state === 'paused' && w.pausedReason === 'failing').length;
  return (
    <Card aria-labelledby="webhooks-title">
      <CardHeader
        title="Webhooks"
        description={
          paused
            ? `${paused} endpoint${paused > 1 ? 's were' : ' was'} paused after repeated failures.`
            : 'Signed batches of firehose events POSTed to your HTTPS endpoints (docs/webhooks.md).'
        }
      />
      <h2 id="webhooks-title" className="sr-only">Webhooks</h2>
      {error ? <div className="px-5 pt-4 sm:px-6"><FormError>{error}</FormError></div> : null}
      {webhooks.length === 0 ? (
        <div className="px-6 py-8 text-center text-sm text-slate-400">
          No webhooks yet. Register one with a Firehose token: <code className="font-mono text-slate-200">npx sluice webhook add https://…</code>
        </div>
      ) : (
        <ul className="divide-y divide-white/5">
          {webhooks.map((hook) => (
            <WebhookItem key={hook.id} hook={hook} now={now} actions={actions} onError={setError} />
          ))}
        </ul>
      )}
    </Card>
  );
}
