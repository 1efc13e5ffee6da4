// The admin page's Peers section (docs/federation.md): each peer link's state (connected, lag,
// last event, events in/out per minute over every node, last error) with pause/resume/remove; and
// the suggested peers (discovery: introduced by a peer or found by mDNS), each waiting for an
// operator's yes with a token from that instance, or a dismissal.
import { cookies } from 'next/headers';
import { getInstanceId } from '@/lib/federation/instance';
import { findSuggestions } from '@/lib/federation/discovery';
import { findPeerStatus } from '@/lib/federation/status';
import { getRuntime } from '@/lib/runtime';
import { peerLinkAction, peerSuggestionAction } from './peers-actions';

const button = 'rounded bg-slate-700 px-2 py-1 text-xs text-white hover:bg-slate-600';
const when = (iso: string | null) => (iso ? iso.slice(0, 19).replace('T', ' ') : '–');
const lag = (ms: number | null) => (ms === null ? '–' : ms < 1000 ? `${ms} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 60_000)} min`);

export async function PeersSection() {
  const sql = getRuntime().db.sql;
  const [links, instance, suggestions] = await Promise.all([findPeerStatus(sql), getInstanceId(sql), findSuggestions(sql)]);
  const flash = (await cookies()).get('sluice_peers_flash')?.value;
  return (
    <section className="mt-10" aria-labelledby="peers-heading">
      <h2 id="peers-heading" className="text-xl font-semibold text-white">Peers</h2>
      <p className="mt-1 text-sm text-slate-400">
        This instance is <code className="font-mono">{instance}</code>. Link another with{' '}
        <code className="font-mono">sluice admin peer add --name N --url URL --token T</code> (docs/federation.md).
      </p>
      {flash ? <p role="status" className="mt-2 rounded border border-slate-700 bg-slate-900 p-2 text-sm text-slate-200 [overflow-wrap:anywhere]">{flash}</p> : null}
      {links.length === 0 ? (
        <p className="mt-4 text-sm text-slate-400">No peer links.</p>
      ) : (
        <div className="mt-4 overflow-x-auto">
          <table className="w-full text-left text-sm text-slate-300">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1 pr-3">Link</th><th className="pr-3">State</th><th className="pr-3 text-right">Lag</th><th className="pr-3">Last event</th>
                <th className="pr-3 text-right">In / min</th><th className="pr-3 text-right">Out / min</th><th className="pr-3">Last error</th><th />
              </tr>
            </thead>
            <tbody>
              {links.map((l) => (
                <tr key={l.name} className="border-t border-slate-800 align-top" data-peer={l.name}>
                  <td className="py-1 pr-3">
                    <div className="font-mono">{l.name}{l.community ? ' · community' : ''}</div>
                    <div className="text-xs text-slate-500">{l.url}</div>
                  </td>
                  <td className="pr-3" data-testid="peer-state">{l.state}</td>
                  <td className="pr-3 text-right">{lag(l.lagMs)}</td>
                  <td className="pr-3">{when(l.lastEventAt)}</td>
                  <td className="pr-3 text-right">{l.inPerMinute}</td>
                  <td className="pr-3 text-right">{l.outPerMinute}</td>
                  <td className="pr-3 text-xs text-slate-400">{l.lastError ? `${when(l.lastErrorAt)} ${l.lastError}` : '–'}</td>
                  <td>
                    <div className="flex gap-2">
                      <form action={peerLinkAction}>
                        <input type="hidden" name="name" value={l.name} />
                        <input type="hidden" name="action" value={l.state === 'paused' ? 'resume' : 'pause'} />
                        <button className={button} type="submit">{l.state === 'paused' ? 'Resume' : 'Pause'}</button>
                      </form>
                      <form action={peerLinkAction}>
                        <input type="hidden" name="name" value={l.name} />
                        <input type="hidden" name="action" value="remove" />
                        <button className={button} type="submit">Remove</button>
                      </form>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3 id="suggested-peers-heading" className="mt-6 text-lg font-semibold text-white">Suggested peers</h3>
      <p className="mt-1 text-sm text-slate-400">
        Instances introduced by a peer (links it flagged <code className="font-mono">--introduce</code>) or found on the local network
        (FEDERATION_MDNS). Nothing is linked until you accept one with a peer token issued by that instance.
      </p>
      {suggestions.length === 0 ? (
        <p className="mt-2 text-sm text-slate-400">No suggested peers.</p>
      ) : (
        <div className="mt-2 overflow-x-auto">
          <table className="w-full text-left text-sm text-slate-300" aria-labelledby="suggested-peers-heading">
            <thead className="text-xs uppercase text-slate-500">
              <tr>
                <th className="py-1 pr-3">Name</th><th className="pr-3">URL</th><th className="pr-3">Introduced by</th><th />
              </tr>
            </thead>
            <tbody>
              {suggestions.map((s) => (
                <tr key={s.id} className="border-t border-slate-800 align-top" data-suggested-peer={s.url}>
                  <td className="py-1 pr-3 font-mono">{s.name}</td>
                  <td className="pr-3 text-xs">{s.url}</td>
                  <td className="pr-3 text-xs">{s.introducedBy.map((by) => (by === 'mdns' ? 'local network (mDNS)' : `peer ${by}`)).join(', ')}</td>
                  <td>
                    <div className="flex flex-wrap gap-2">
                      <form action={peerSuggestionAction} className="flex gap-1">
                        <input type="hidden" name="url" value={s.url} />
                        <input type="hidden" name="action" value="accept" />
                        <input name="name" defaultValue={s.name} aria-label={`Link name for ${s.url}`} className="w-24 rounded bg-slate-800 px-1 text-xs" />
                        <input name="token" required placeholder="their peer token" aria-label={`Peer token issued by ${s.url}`} className="w-48 rounded bg-slate-800 px-1 font-mono text-xs" />
                        <button className={button} type="submit">Accept</button>
                      </form>
                      <form action={peerSuggestionAction}>
                        <input type="hidden" name="url" value={s.url} />
                        <input type="hidden" name="action" value="dismiss" />
                        <button className={button} type="submit">Dismiss</button>
                      </form>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
