// A list of audit events (lib/accounts/audit.ts): the owner's "Recent security activity" on /settings
// and the operator's view of one account on /admin/users/[id]. Addresses are shown as recorded.
import { auditLabel, auditSummary, type AuditEventView } from '@/lib/accounts/audit';
import { summariseUserAgent } from '@/lib/accounts/sessions';

export interface SecurityActivityProps {
  events: AuditEventView[];
  /** Whose eyes: the owner sees "you" / "an operator"; an operator sees the actor's email. */
  viewer: { kind: 'owner'; userId: string } | { kind: 'operator' };
  title?: string;
}

function who(event: AuditEventView, viewer: SecurityActivityProps['viewer']): string {
  if (viewer.kind === 'operator') return event.actorEmail ?? (event.actorUserId ? 'deleted account' : '');
  if (!event.actorUserId) return '';
  return event.actorUserId === viewer.userId ? 'you' : 'an operator';
}

export function SecurityActivity({ events, viewer, title = 'Recent security activity' }: SecurityActivityProps) {
  return (
    <section className="rounded-2xl border border-white/10 bg-white/[0.03] p-5 sm:p-6" aria-labelledby="security-activity-heading" data-testid="security-activity">
      <h2 id="security-activity-heading" className="text-lg font-semibold text-white">{title}</h2>
      <p className="mt-1 text-sm text-slate-400">
        Sign-ins, failed sign-ins, password and two-factor changes, API tokens, plan changes and operator actions on this account (kept 180 days).
      </p>
      {events.length === 0 ? (
        <p className="mt-4 text-sm text-slate-400">Nothing recorded yet.</p>
      ) : (
        <ul className="mt-4 divide-y divide-white/5 text-sm">
          {events.map((e) => {
            const by = who(e, viewer);
            const summary = auditSummary(e);
            return (
              <li key={e.id} className="py-2" data-action={e.action}>
                <div className="flex flex-wrap items-baseline justify-between gap-x-3">
                  <span className={e.action === 'sign_in_failed' || e.action === 'suspended' ? 'font-medium text-amber-300' : 'font-medium text-slate-100'}>
                    {auditLabel(e.action)}
                  </span>
                  <time dateTime={e.at.toISOString()} className="text-xs text-slate-500">{e.at.toISOString().slice(0, 19).replace('T', ' ')} UTC</time>
                </div>
                <div className="break-all text-xs text-slate-400" title={e.userAgent ?? undefined}>
                  {[summary, by ? `by ${by}` : '', e.ip ? `from ${e.ip}` : '', e.userAgent ? summariseUserAgent(e.userAgent) : ''].filter(Boolean).join(' · ')}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
