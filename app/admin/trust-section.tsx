// The admin page's trust section (docs/trust.md): warning lists with hit counts (add, remove, enable,
// disable, reload), the dispute queue (uphold retracts), retraction of a value or of a whole
// reporter, and reporter trust levels.
import { cookies } from 'next/headers';
import { INDICATOR_TYPES } from '@/lib/indicators/types';
import { getRuntime } from '@/lib/runtime';
import { listOpenDisputes } from '@/lib/trust/disputes';
import { defaultTrustPolicy, TRUST_LEVELS } from '@/lib/trust/policy';
import { listWarningLists } from '@/lib/trust/warning-lists';
import {
  addWarningListAction,
  removeWarningListAction,
  resolveDisputeAction,
  retractAction,
  retractReporterAction,
  setUserTrustAction,
  setWarningListAction,
} from './trust-actions';
import { TRUST_FLASH_COOKIE } from './trust-flash';

const input = 'rounded border border-slate-700 bg-slate-900 px-2 py-1 text-sm text-slate-100';
const button = 'rounded bg-slate-700 px-2 py-1 text-xs text-white hover:bg-slate-600';

export async function TrustSection() {
  const sql = getRuntime().db.sql;
  const [lists, disputes, held, retracted] = await Promise.all([
    listWarningLists(sql, defaultTrustPolicy().lists),
    listOpenDisputes(sql, 50),
    sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM indicators WHERE held_count > 0`),
    sql.query<{ type: string; value: string; retracted_at: Date | string; retraction_reason: string | null }>(
      `SELECT type::text AS type, value, retracted_at, retraction_reason FROM indicators WHERE retracted_at IS NOT NULL ORDER BY retracted_at DESC LIMIT 10`,
    ),
  ]);
  const flash = (await cookies()).get(TRUST_FLASH_COOKIE)?.value;
  return (
    <section className="mt-10" aria-labelledby="trust-heading">
      <h2 id="trust-heading" className="text-xl font-semibold text-white">Trust</h2>
      <p className="mt-1 text-sm text-slate-400">
        {held[0]?.n ?? 0} values held from the firehose until corroborated. See docs/trust.md.
      </p>
      {flash ? <p role="status" className="mt-2 rounded border border-slate-700 bg-slate-900 p-2 text-sm text-slate-200 [overflow-wrap:anywhere]">{flash}</p> : null}

      <h3 className="mt-6 font-medium text-white">Warning lists</h3>
      <div className="mt-2 overflow-x-auto">
        <table className="w-full text-left text-sm text-slate-300">
          <thead className="text-xs uppercase text-slate-500">
            <tr><th className="py-1 pr-3">List</th><th className="pr-3">Type</th><th className="pr-3 text-right">Entries</th><th className="pr-3 text-right">Hits</th><th className="pr-3">Last hit</th><th>State</th></tr>
          </thead>
          <tbody>
            {lists.map((l) => (
              <tr key={l.id} className="border-t border-slate-800">
                <td className="py-1 pr-3 font-mono" title={l.name}>{l.id}</td>
                <td className="pr-3">{l.type}</td>
                <td className="pr-3 text-right">{l.entries.toLocaleString('en-US')}</td>
                <td className="pr-3 text-right">{l.hits.toLocaleString('en-US')}</td>
                <td className="pr-3">{l.lastHitAt ? l.lastHitAt.slice(0, 19).replace('T', ' ') : '–'}</td>
                <td>
                  <form action={setWarningListAction} className="flex items-center gap-2">
                    <input type="hidden" name="name" value={l.id} />
                    <input type="hidden" name="action" value={l.enabled ? 'disable' : 'enable'} />
                    <span>{l.enabled ? 'enabled' : 'disabled'}</span>
                    <button className={button} type="submit">{l.enabled ? 'Disable' : 'Enable'}</button>
                  </form>
                  {l.origin === 'operator' ? (
                    <form action={removeWarningListAction} className="mt-1">
                      <input type="hidden" name="name" value={l.id} />
                      <button className={button} type="submit" aria-label={`Remove ${l.id}`}>Remove</button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form action={setWarningListAction} className="mt-2">
        <input type="hidden" name="action" value="reload" />
        <button className={button} type="submit">Reload lists from disk</button>
      </form>
      <form action={addWarningListAction} className="mt-4 space-y-2" aria-labelledby="add-list-heading">
        <h4 id="add-list-heading" className="text-sm font-medium text-white">Add a list</h4>
        <div className="flex flex-wrap gap-2">
          <input name="id" required pattern="[a-z0-9][a-z0-9._\-]{0,63}" placeholder="id (e.g. corp-cdn)" aria-label="List id" className={input} />
          <input name="name" maxLength={200} placeholder="description (optional)" aria-label="List description" className={`${input} min-w-0 flex-1`} />
          <select name="listType" className={input} aria-label="List type" defaultValue="">
            <option value="">type: from the MISP file</option>
            <option value="hostname">hostname (and subdomains)</option>
            <option value="cidr">cidr (addresses, networks)</option>
            <option value="string">string (exact values, hashes)</option>
          </select>
        </div>
        <textarea name="entries" rows={3} placeholder="one entry per line, or a MISP warning list (JSON)" aria-label="List entries" className={`${input} w-full font-mono`} />
        <div className="flex flex-wrap items-center gap-2 text-xs text-slate-400">
          <label>
            or upload a file <input name="file" type="file" accept=".json,.txt,text/plain,application/json" aria-label="List file" className="text-xs" />
          </label>
          <button className={button} type="submit">Add list</button>
        </div>
      </form>

      <h3 className="mt-6 font-medium text-white">Disputes</h3>
      {disputes.length === 0 ? (
        <p className="mt-1 text-sm text-slate-400">No open disputes.</p>
      ) : (
        <ul className="mt-2 space-y-2 text-sm text-slate-300">
          {disputes.map((d) => (
            <li key={d.id} className="flex min-w-0 flex-wrap items-center gap-2 border-t border-slate-800 pt-2">
              <span className="min-w-0 max-w-full font-mono break-all">{d.indicator.type} {d.indicator.value}</span>
              <span className="min-w-0 max-w-full text-slate-500 [overflow-wrap:anywhere]">({d.disputes} open) by {d.reporter}: {d.reason}</span>
              <form action={resolveDisputeAction} className="flex gap-1">
                <input type="hidden" name="id" value={d.id} />
                <button className={button} type="submit" name="action" value="uphold">Uphold (retract)</button>
                <button className={button} type="submit" name="action" value="reject">Reject</button>
              </form>
            </li>
          ))}
        </ul>
      )}

      <div className="mt-6 grid gap-6 md:grid-cols-2">
        <form action={retractAction} className="space-y-2">
          <h3 className="font-medium text-white">Retract a value</h3>
          <div className="flex flex-wrap gap-2">
            <select name="indicatorType" className={input} aria-label="Type" defaultValue="domain">
              {INDICATOR_TYPES.map((t) => <option key={t} value={t}>{t}</option>)}
            </select>
            <input name="value" required placeholder="value" aria-label="Value" className={`${input} min-w-0 flex-1`} />
          </div>
          <input name="reason" required maxLength={500} placeholder="reason (shown to subscribers)" aria-label="Reason" className={`${input} w-full`} />
          <button className={button} type="submit">Retract</button>
          {retracted.length ? (
            <ul className="text-xs text-slate-500">
              {retracted.map((r) => (
                <li key={`${r.type}:${r.value}`} className="break-all">{new Date(r.retracted_at).toISOString().slice(0, 16).replace('T', ' ')} {r.type} {r.value}: {r.retraction_reason}</li>
              ))}
            </ul>
          ) : null}
        </form>
        <div className="space-y-6">
        <form action={setUserTrustAction} className="space-y-2">
          <h3 className="font-medium text-white">Reporter trust</h3>
          <input name="email" type="email" required placeholder="email" aria-label="Email" className={`${input} w-full`} />
          <select name="level" className={input} aria-label="Trust level" defaultValue="trusted">
            {TRUST_LEVELS.map((l) => <option key={l} value={l}>{l}</option>)}
          </select>{' '}
          <button className={button} type="submit">Set</button>
        </form>
        <form action={retractReporterAction} className="space-y-2">
          <h3 className="font-medium text-white">Retract a reporter&apos;s contributions</h3>
          <p className="text-xs text-slate-400">Everything the account reported stops being public; values nobody else reported leave /threats and get a retracted event. The account becomes untrusted.</p>
          <input name="email" type="email" required placeholder="email" aria-label="Reporter email" className={`${input} w-full`} />
          <input name="reason" required maxLength={500} placeholder="reason (shown to subscribers)" aria-label="Retraction reason" className={`${input} w-full`} />
          <button className={button} type="submit">Retract all</button>
        </form>
        </div>
      </div>
    </section>
  );
}
