'use client';
// API tokens: create (name, scopes, optional expiry and allowed networks), shown exactly once with a
// copy button, listed with their created/last-used times, expiry, networks and whether they may
// stream right now, and revoked.
import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import type { UserTokenScope } from '@/lib/tokens';
import { EXPIRY_DAY_CHOICES, MAX_TOKEN_NETWORKS } from '@/lib/token-limits';
import { Badge, Button, Card, CardHeader, FormError, Input } from './ui';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
  /** Refused from then on; null: never expires. */
  expiresAt: string | null;
  /** CIDR networks it may be used from; empty: anywhere. */
  allowedNetworks: string[];
  /** From checkEntitlement(token, 'stream') with the owner's plan now. */
  streaming: 'enabled' | 'plan_required' | 'scope_required';
}

const SCOPES = [
  { id: 'stream', label: 'stream', hint: 'connect to the firehose' },
  { id: 'submit', label: 'submit', hint: 'report indicators to your feeds' },
  { id: 'read', label: 'read', hint: 'search and look up' },
] as const satisfies readonly { id: UserTokenScope; label: string; hint: string }[];

// Relative to `now` from the server's render and dates in UTC: the server and every browser render
// the same text whatever their clock and time zone (no hydration mismatch, React #418).
function relative(iso: string | null, now: string): string {
  if (!iso) return 'Never';
  const seconds = Math.round((Date.parse(now) - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return 'Just now';
  const units: [number, Intl.RelativeTimeFormatUnit][] = [[60, 'minute'], [24, 'hour'], [30, 'day'], [12, 'month']];
  let value = seconds / 60;
  let unit: Intl.RelativeTimeFormatUnit = 'minute';
  for (const [size, next] of units.slice(1)) {
    if (value < size) break;
    value /= size;
    unit = next;
  }
  return new Intl.RelativeTimeFormat('en', { numeric: 'auto' }).format(-Math.floor(value), unit);
}

const formatDate = (iso: string) => new Date(iso).toLocaleDateString('en', { dateStyle: 'medium', timeZone: 'UTC' });
const formatDateTime = (iso: string) => `${new Date(iso).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' })} UTC`;
/** Expired as of the server's render (`now`), so server and browser agree. */
const expired = (token: Pick<TokenRow, 'expiresAt'>, now: string) => token.expiresAt !== null && Date.parse(token.expiresAt) <= Date.parse(now);

export interface TokenPanelProps {
  tokens: TokenRow[];
  /** When the page was rendered (ISO): "last used" is relative to it. */
  now: string;
  /** Server actions from the page (components do not import app/). */
  createTokenAction: ServerAction<{ name: string; scopes: UserTokenScope[]; expires?: string; networks?: string }, { id: string; prefix: string; token: string }>;
  revokeTokenAction: ServerAction<{ id: string }, { id: string }>;
}

export function TokenPanel({ tokens, now, createTokenAction, revokeTokenAction }: TokenPanelProps) {
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const [revealed, setRevealed] = useState<{ token: string; prefix: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [expiryChoice, setExpiryChoice] = useState('');
  const [pending, startTransition] = useTransition();
  const active = tokens.filter((t) => !t.revokedAt);
  const revoked = tokens.filter((t) => t.revokedAt);

  function create(form: FormData) {
    setError(null);
    const scopes = SCOPES.map((s) => s.id).filter((id) => form.get(`scope-${id}`) === 'on');
    startTransition(async () => {
      const choice = String(form.get('expires') ?? '');
      const expires = choice === 'date' ? String(form.get('expires-date') ?? '') : choice;
      if (choice === 'date' && !expires) return setError('Pick the date the token expires.');
      const result = await createTokenAction({ name: String(form.get('name') ?? ''), scopes, expires, networks: String(form.get('networks') ?? '') });
      if (!result.ok) return setError(result.error.message);
      setRevealed({ token: result.data.token, prefix: result.data.prefix });
      setCopied(false);
      setCreating(false);
      setExpiryChoice('');
      router.refresh();
    });
  }

  function revoke(id: string) {
    startTransition(async () => {
      const result = await revokeTokenAction({ id });
      setConfirming(null);
      if (!result.ok) return setError(result.error.message);
      router.refresh();
    });
  }

  async function copy() {
    if (!revealed) return;
    try {
      await navigator.clipboard.writeText(revealed.token);
      setCopied(true);
    } catch {
      setError('Copy failed: select the token and copy it by hand.');
    }
  }

  return (
    <Card aria-labelledby="tokens-title">
      <CardHeader
        title="API tokens"
        description="Tokens authenticate the REST API, the CLI and the stream. Streaming follows your plan: no need to re-issue tokens."
        action={
          !creating ? (
            <Button onClick={() => { setCreating(true); setError(null); }} className="shrink-0">
              <span aria-hidden>+</span> New token
            </Button>
          ) : null
        }
      />
      <h2 id="tokens-title" className="sr-only">API tokens</h2>

      {revealed ? (
        <div role="region" aria-label="New token" className="m-5 rounded-xl border border-emerald-400/30 bg-emerald-500/10 p-4 sm:m-6">
          <p className="text-sm font-medium text-emerald-200">Copy your new token now. It will not be shown again.</p>
          <div className="mt-3 flex flex-col gap-2 sm:flex-row">
            <code data-testid="new-token" className="block flex-1 overflow-x-auto whitespace-nowrap rounded-lg border border-white/10 bg-ink-950/80 px-3 py-2 font-mono text-sm text-white select-all">
              {revealed.token}
            </code>
            <div className="flex gap-2">
              <Button variant="secondary" onClick={copy} aria-live="polite">{copied ? 'Copied ✓' : 'Copy'}</Button>
              <Button variant="ghost" onClick={() => setRevealed(null)}>Done</Button>
            </div>
          </div>
        </div>
      ) : null}

      {creating ? (
        <form
          // onSubmit, not action=: a form action resets the fields, and a refused network list must stay for correcting.
          onSubmit={(event) => {
            event.preventDefault();
            create(new FormData(event.currentTarget));
          }}
          className="m-5 space-y-4 rounded-xl border border-white/10 bg-ink-950/40 p-4 sm:m-6">
          <div>
            <label htmlFor="token-name" className="mb-1.5 block text-sm font-medium text-slate-200">Name</label>
            <Input id="token-name" name="name" placeholder="e.g. SIEM connector" maxLength={100} autoFocus required />
          </div>
          <fieldset>
            <legend className="mb-2 text-sm font-medium text-slate-200">Scopes</legend>
            <div className="grid grid-cols-1 gap-2 sm:grid-cols-3">
              {SCOPES.map((scope) => (
                <label key={scope.id} className="flex cursor-pointer items-start gap-2.5 rounded-lg border border-white/10 bg-white/[0.02] p-3 hover:border-white/20 has-[:checked]:border-brand-400/50 has-[:checked]:bg-brand-500/5">
                  <input type="checkbox" name={`scope-${scope.id}`} defaultChecked={scope.id !== 'submit'} className="mt-0.5 h-4 w-4 accent-cyan-400" />
                  <span>
                    <span className="block font-mono text-sm text-white">{scope.label}</span>
                    <span className="block text-xs text-slate-400">{scope.hint}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <div className="grid grid-cols-1 gap-4 sm:grid-cols-2">
            <div>
              <label htmlFor="token-expires" className="mb-1.5 block text-sm font-medium text-slate-200">Expires</label>
              <div className="flex gap-2">
                <select
                  id="token-expires"
                  name="expires"
                  value={expiryChoice}
                  onChange={(e) => setExpiryChoice(e.target.value)}
                  className="rounded-lg border border-white/10 bg-ink-950/80 px-3 py-2 text-sm text-white"
                >
                  <option value="">Never</option>
                  {EXPIRY_DAY_CHOICES.map((days) => <option key={days} value={String(days)}>In {days} days</option>)}
                  <option value="date">On a date…</option>
                </select>
                {expiryChoice === 'date' ? <Input aria-label="Expiry date (UTC)" type="date" name="expires-date" required /> : null}
              </div>
              <p className="mt-1 text-xs text-slate-500">After it expires the token is refused everywhere and its streams end. A date means through that day, UTC.</p>
            </div>
            <div>
              <label htmlFor="token-networks" className="mb-1.5 block text-sm font-medium text-slate-200">Allowed networks</label>
              <Input id="token-networks" name="networks" placeholder="e.g. 10.0.0.0/8, 2001:db8::/32" maxLength={4000} />
              <p className="mt-1 text-xs text-slate-500">Optional: CIDR networks (at most {MAX_TOKEN_NETWORKS}) it may be used from. Empty: anywhere.</p>
            </div>
          </div>
          {error ? <FormError>{error}</FormError> : null}
          <div className="flex justify-end gap-2">
            <Button type="button" variant="ghost" onClick={() => setCreating(false)}>Cancel</Button>
            <Button type="submit" disabled={pending}>{pending ? 'Creating…' : 'Create token'}</Button>
          </div>
        </form>
      ) : error ? (
        <div className="m-5 sm:m-6"><FormError>{error}</FormError></div>
      ) : null}

      {active.length === 0 && !creating ? (
        <div className="flex flex-col items-center px-6 py-12 text-center">
          <div className="flex h-12 w-12 items-center justify-center rounded-xl border border-white/10 bg-white/5 font-mono text-brand-400">slc_</div>
          <p className="mt-4 font-medium text-white">No tokens yet</p>
          <p className="mt-1 max-w-sm text-sm text-slate-400">Create a token to use the REST API, the <code className="font-mono">sluice</code> CLI or the stream.</p>
          <Button className="mt-5" onClick={() => setCreating(true)}>Create your first token</Button>
        </div>
      ) : (
        <ul className="divide-y divide-white/5" aria-label="Active tokens">
          {active.map((token) => (
            <li key={token.id} data-testid="token-row" className="flex flex-col gap-3 px-5 py-4 sm:flex-row sm:items-center sm:px-6">
              <div className="min-w-0 flex-1">
                <div className="flex flex-wrap items-center gap-2">
                  <span className="truncate font-medium text-white">{token.name}</span>
                  <code className="rounded bg-white/5 px-1.5 py-0.5 font-mono text-xs text-slate-300">{token.prefix}…</code>
                </div>
                <div className="mt-1.5 flex flex-wrap items-center gap-1.5">
                  {token.scopes.map((scope) => <Badge key={scope}>{scope}</Badge>)}
                  {expired(token, now) ? <Badge tone="rose">Expired</Badge> : null}
                  {!expired(token, now) && token.streaming === 'enabled' ? <Badge tone="green">Streaming enabled</Badge> : null}
                  {!expired(token, now) && token.streaming === 'plan_required' ? <Badge tone="amber">Streams on Firehose</Badge> : null}
                </div>
                <p className="mt-1.5 text-xs text-slate-500">
                  Created {formatDate(token.createdAt)} · Last used {relative(token.lastUsedAt, now).toLowerCase()} ·{' '}
                  <span data-testid="token-expiry">{token.expiresAt ? `${expired(token, now) ? 'Expired' : 'Expires'} ${formatDateTime(token.expiresAt)}` : 'Never expires'}</span>
                </p>
                <p className="mt-0.5 text-xs text-slate-500" data-testid="token-networks">
                  {token.allowedNetworks.length ? <>From <span className="font-mono">{token.allowedNetworks.join(', ')}</span> only</> : 'From any address'}
                </p>
              </div>
              {confirming === token.id ? (
                <div className="flex gap-2">
                  <Button variant="ghost" onClick={() => setConfirming(null)}>Keep</Button>
                  <Button variant="danger" disabled={pending} onClick={() => revoke(token.id)}>Yes, revoke</Button>
                </div>
              ) : (
                <Button variant="secondary" aria-label={`Revoke ${token.name}`} onClick={() => setConfirming(token.id)}>Revoke</Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoked.length ? (
        <details className="border-t border-white/5 px-5 py-3 text-sm text-slate-400 sm:px-6">
          <summary className="cursor-pointer select-none">{revoked.length} revoked token{revoked.length === 1 ? '' : 's'}</summary>
          <ul className="mt-2 space-y-1">
            {revoked.map((token) => (
              <li key={token.id} className="flex flex-wrap gap-2 text-slate-500">
                <span className="line-through">{token.name}</span>
                <code className="font-mono text-xs">{token.prefix}…</code>
                <span>revoked {relative(token.revokedAt, now).toLowerCase()}</span>
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </Card>
  );
}
