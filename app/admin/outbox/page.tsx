// The local outbox (operators only): mail that would have gone out by SMTP on an instance without
// SMTP_URL — verification and reset links included, so the flows work before mail is set up.
import type { Metadata } from 'next';
import { publicBaseUrl } from '@/lib/config';
import { findOutboxMail } from '@/lib/mail/find-outbox';
import { getRuntime } from '@/lib/runtime';
import { requireAdmin } from '../require-admin';

export const metadata: Metadata = { title: 'Outbox' };
export const dynamic = 'force-dynamic';

export default async function OutboxPage() {
  await requireAdmin('/admin/outbox');
  const runtime = getRuntime();
  const base = publicBaseUrl(runtime.config);
  const mail = await findOutboxMail(runtime.db.prisma, { limit: 100 });
  return (
    <div className="mx-auto max-w-4xl px-4 py-10 sm:px-6">
      <h1 className="text-2xl font-semibold text-white">Outbox</h1>
      <p className="mt-1 text-sm text-slate-400">
        {runtime.config.SMTP_URL
          ? 'SMTP_URL is set: mail goes out by SMTP. Below is what was kept before it was set.'
          : 'No SMTP_URL is set, so mail is kept here (and in the log) instead of being sent. The newest 100 messages.'}
      </p>
      {mail.length === 0 ? <p className="mt-6 text-sm text-slate-400">No mail yet.</p> : null}
      <ol className="mt-6 space-y-4">
        {mail.map((m) => (
          <li key={m.id} className="rounded-lg border border-white/10 bg-white/[0.03] p-4" data-testid="outbox-mail">
            <div className="flex flex-wrap justify-between gap-2 text-sm">
              <span className="min-w-0 max-w-full font-medium text-white [overflow-wrap:anywhere]">{m.subject}</span>
              <time className="text-slate-500" dateTime={m.createdAt.toISOString()}>{m.createdAt.toISOString().slice(0, 19).replace('T', ' ')} UTC</time>
            </div>
            <p className="mt-1 text-xs text-slate-400">To: <span className="font-mono break-all">{m.to}</span></p>
            <pre className="mt-3 whitespace-pre-wrap font-sans text-sm text-slate-200 [overflow-wrap:anywhere]">
              {m.text.split('\n').map((line, i) => (
                // Only links to this site become links; everything else stays text.
                <span key={i}>
                  {line.startsWith(`${base}/`) ? <a className="text-brand-400 underline" href={line}>{line}</a> : line}
                  {'\n'}
                </span>
              ))}
            </pre>
          </li>
        ))}
      </ol>
    </div>
  );
}
