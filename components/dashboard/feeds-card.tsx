'use client';
// The user's feeds: create, rename, describe, change TLP (a clear warning when a feed becomes
// public: CLEAR streams to every subscriber) and delete (after saying what it removes), with
// per-feed statistics. The same lib/feeds functions as the REST API do the work.
import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import type { ServerAction } from '@/lib/action-result';
import type { UserFeed } from '@/lib/accounts/find-user-feeds';
import type { FeedDeletionPreview } from '@/lib/feeds/preview-feed-deletion';
import type { TlpLevel } from '@/lib/feeds/schemas';
import { Badge, Button, Card, CardHeader, FormError, Input } from './ui';

const TLP_TONE = { CLEAR: 'green', GREEN: 'green', AMBER: 'amber', RED: 'rose' } as const;
const TLP_HELP: Record<TlpLevel, string> = {
  CLEAR: 'Public: the threats page, exports and every Firehose subscriber.',
  GREEN: 'Yours (and community peer links you allow); never public.',
  AMBER: 'Yours only.',
  RED: 'Yours only.',
};

export interface FeedActions {
  create: ServerAction<{ slug: string; name?: string; description?: string; tlp: TlpLevel }, { slug: string }>;
  update: ServerAction<{ slug: string; name: string; description: string; tlp: TlpLevel }, { slug: string }>;
  previewDelete: ServerAction<{ slug: string }, FeedDeletionPreview>;
  remove: ServerAction<{ slug: string }, { slug: string }>;
}

const textareaClass =
  'block w-full rounded-lg border border-white/10 bg-ink-950/60 px-3 py-2 text-sm text-white placeholder:text-slate-500 focus:border-brand-400 focus:outline-none focus:ring-2 focus:ring-brand-400/30';

function ago(iso: string | null, now: string): string {
  if (!iso) return 'never';
  const s = Math.max(0, Math.round((Date.parse(now) - Date.parse(iso)) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/** The TLP picker with what each level means, and the public warning when CLEAR is chosen over a private level. */
function TlpField({ value, onChange, previous }: { value: TlpLevel; onChange: (v: TlpLevel) => void; previous?: TlpLevel }) {
  const id = useId();
  const becomingPublic = value === 'CLEAR' && previous !== 'CLEAR';
  return (
    <div>
      <label htmlFor={id} className="block text-sm font-medium text-slate-200">
        Visibility (TLP)
      </label>
      <select id={id} name="tlp" value={value} onChange={(e) => onChange(e.target.value as TlpLevel)} className={`${textareaClass} mt-1.5`}>
        {(['CLEAR', 'GREEN', 'AMBER', 'RED'] as const).map((tlp) => (
          <option key={tlp} value={tlp}>
            TLP:{tlp}
          </option>
        ))}
      </select>
      <p className="mt-1 text-xs text-slate-400">{TLP_HELP[value]}</p>
      {becomingPublic ? (
        <p role="alert" className="mt-2 rounded-lg border border-amber-400/30 bg-amber-500/10 px-3 py-2 text-sm text-amber-100">
          TLP:CLEAR is public. Everything reported into this feed from now on appears on the public threats page, in the exports and in every
          Firehose subscriber&apos;s stream, and cannot be called back once streamed.{previous ? ' Reports made while the feed was private stay private.' : ''}
        </p>
      ) : null}
      {previous === 'CLEAR' && value !== 'CLEAR' ? (
        <p className="mt-2 text-xs text-slate-400">New reports stay private; what was already reported publicly stays public (retract it to withdraw it).</p>
      ) : null}
    </div>
  );
}

function CreateFeedForm({ create, onDone }: { create: FeedActions['create']; onDone: () => void }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [tlp, setTlp] = useState<TlpLevel>('AMBER');
  return (
    <form
      className="space-y-3 border-b border-white/5 px-5 py-4 sm:px-6"
      aria-label="New feed"
      onSubmit={(e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        start(async () => {
          setError(null);
          const result = await create({ slug: String(form.get('slug') ?? ''), name: String(form.get('name') ?? ''), description: String(form.get('description') ?? ''), tlp });
          if (!result.ok) return setError(result.error.message);
          onDone();
          router.refresh();
        });
      }}
    >
      {error ? <FormError>{error}</FormError> : null}
      <div className="grid gap-3 sm:grid-cols-2">
        <label className="block text-sm font-medium text-slate-200">
          Slug
          <Input name="slug" required maxLength={64} placeholder="honeypot-eu" autoComplete="off" className="mt-1.5 font-mono" />
        </label>
        <label className="block text-sm font-medium text-slate-200">
          Feed name
          <Input name="name" maxLength={100} placeholder="EU honeypots" autoComplete="off" className="mt-1.5" />
        </label>
      </div>
      <label className="block text-sm font-medium text-slate-200">
        Description
        <textarea name="description" maxLength={2000} rows={2} className={`${textareaClass} mt-1.5`} />
      </label>
      <TlpField value={tlp} onChange={setTlp} />
      <div className="flex gap-2">
        <Button type="submit" disabled={pending}>
          Create feed
        </Button>
        <Button type="button" variant="ghost" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function FeedItem({ feed, now, actions }: { feed: UserFeed; now: string; actions: FeedActions }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  const [mode, setMode] = useState<'view' | 'edit' | 'delete'>('view');
  const [error, setError] = useState<string | null>(null);
  const [tlp, setTlp] = useState<TlpLevel>(feed.tlp);
  const [preview, setPreview] = useState<FeedDeletionPreview | null>(null);
  const [confirmSlug, setConfirmSlug] = useState('');

  const askDelete = () =>
    start(async () => {
      setError(null);
      const result = await actions.previewDelete({ slug: feed.slug });
      if (!result.ok) return setError(result.error.message);
      setPreview(result.data);
      setConfirmSlug('');
      setMode('delete');
    });

  return (
    <li className="px-5 py-4 sm:px-6" data-testid="feed-row" data-slug={feed.slug}>
      <div className="flex flex-wrap items-center gap-2">
        <div className="min-w-0 flex-1">
          <p className="truncate font-medium text-white">{feed.name}</p>
          <p className="truncate font-mono text-xs text-slate-500">{feed.slug}</p>
        </div>
        {feed.isSystem ? <Badge>system</Badge> : null}
        <Badge tone={TLP_TONE[feed.tlp]}>TLP:{feed.tlp}</Badge>
      </div>
      {feed.description ? <p className="mt-1 text-sm break-words text-slate-400">{feed.description}</p> : null}
      <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-slate-400 sm:grid-cols-4">
        <div>
          <dt>Sightings</dt>
          <dd className="tabular-nums text-slate-200">{feed.sightings.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Last 7 days</dt>
          <dd className="tabular-nums text-slate-200">{feed.sightingsLast7Days.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Indicators</dt>
          <dd className="tabular-nums text-slate-200">{feed.indicators.toLocaleString('en')}</dd>
        </div>
        <div>
          <dt>Last report</dt>
          <dd className="text-slate-200">{ago(feed.lastReportAt, now)}</dd>
        </div>
      </dl>
      {error ? (
        <div className="mt-3">
          <FormError>{error}</FormError>
        </div>
      ) : null}
      {mode === 'view' && !feed.isSystem ? (
        <div className="mt-3 flex flex-wrap gap-2">
          <Button variant="secondary" disabled={pending} onClick={() => (setTlp(feed.tlp), setMode('edit'))}>
            Edit
          </Button>
          <Button variant="ghost" disabled={pending} onClick={askDelete}>
            Delete…
          </Button>
        </div>
      ) : null}
      {mode === 'edit' ? (
        <form
          className="mt-3 space-y-3"
          aria-label={`Edit ${feed.slug}`}
          onSubmit={(e) => {
            e.preventDefault();
            const form = new FormData(e.currentTarget);
            start(async () => {
              setError(null);
              const result = await actions.update({ slug: feed.slug, name: String(form.get('name') ?? ''), description: String(form.get('description') ?? ''), tlp });
              if (!result.ok) return setError(result.error.message);
              setMode('view');
              router.refresh();
            });
          }}
        >
          <label className="block text-sm font-medium text-slate-200">
            Feed name
            <Input name="name" required maxLength={100} defaultValue={feed.name} className="mt-1.5" />
          </label>
          <label className="block text-sm font-medium text-slate-200">
            Description
            <textarea name="description" maxLength={2000} rows={2} defaultValue={feed.description ?? ''} className={`${textareaClass} mt-1.5`} />
          </label>
          <TlpField value={tlp} onChange={setTlp} previous={feed.tlp} />
          <div className="flex gap-2">
            <Button type="submit" disabled={pending}>
              Save
            </Button>
            <Button type="button" variant="ghost" onClick={() => setMode('view')}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
      {mode === 'delete' && preview ? (
        <div className="mt-3 space-y-3 rounded-lg border border-rose-500/30 bg-rose-500/5 p-3" role="group" aria-label={`Delete ${feed.slug}`}>
          <p className="text-sm text-rose-100">
            Deleting <span className="font-mono">{feed.slug}</span> removes {preview.sightings.toLocaleString('en')} sighting{preview.sightings === 1 ? '' : 's'} of{' '}
            {preview.indicators.toLocaleString('en')} indicator{preview.indicators === 1 ? '' : 's'}.{' '}
            {preview.publicIndicatorsRemoved > 0
              ? `${preview.publicIndicatorsRemoved.toLocaleString('en')} of them no other feed reported publicly: they leave the threats page, the exports and /check answers.`
              : 'Every public indicator in it stays public through other feeds.'}{' '}
            Events already streamed stay in subscribers&apos; hands. This cannot be undone.
          </p>
          <label className="block text-sm text-slate-200">
            Type the slug to confirm
            <Input value={confirmSlug} onChange={(e) => setConfirmSlug(e.target.value)} autoComplete="off" className="mt-1.5 font-mono" />
          </label>
          <div className="flex gap-2">
            <Button
              variant="danger"
              disabled={pending || confirmSlug !== feed.slug}
              onClick={() =>
                start(async () => {
                  setError(null);
                  const result = await actions.remove({ slug: feed.slug });
                  if (!result.ok) return setError(result.error.message);
                  router.refresh();
                })
              }
            >
              Delete feed for good
            </Button>
            <Button variant="ghost" onClick={() => setMode('view')}>
              Cancel
            </Button>
          </div>
        </div>
      ) : null}
    </li>
  );
}

export function FeedsCard({ feeds, now, actions }: { feeds: UserFeed[]; now: string; actions: FeedActions }) {
  const [creating, setCreating] = useState(false);
  return (
    <Card aria-labelledby="feeds-title">
      <CardHeader
        title="Your feeds"
        description="Public feeds (TLP:CLEAR) enter the firehose; GREEN, AMBER and RED stay yours."
        action={
          creating ? null : (
            <Button variant="secondary" onClick={() => setCreating(true)}>
              New feed
            </Button>
          )
        }
      />
      <h2 id="feeds-title" className="sr-only">
        Your feeds
      </h2>
      {creating ? <CreateFeedForm create={actions.create} onDone={() => setCreating(false)} /> : null}
      {feeds.length === 0 ? (
        <div className="px-6 py-8 text-center text-sm text-slate-400">No feeds yet. Create one, then report into it with a token that has the submit scope.</div>
      ) : (
        <ul className="divide-y divide-white/5">
          {feeds.map((feed) => (
            <FeedItem key={feed.id} feed={feed} now={now} actions={actions} />
          ))}
        </ul>
      )}
    </Card>
  );
}
