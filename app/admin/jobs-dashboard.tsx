'use client';
// Live view of the job queue: polls /api/admin/jobs every two seconds; retry/discard dead letters.
import { useCallback, useEffect, useState } from 'react';
import type { QueueOverview } from '@/lib/jobs/get-queue-overview';

const POLL_MS = 2000;

function Stat({ label, value, tone = 'text-white', hint }: { label: string; value: string | number; tone?: string; hint?: string }) {
  return (
    <div className="rounded-2xl border border-white/10 bg-white/[0.03] px-5 py-4" data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
      <div className="text-xs uppercase tracking-wide text-slate-400">{label}</div>
      <div className={`mt-1 text-2xl font-semibold tabular-nums ${tone}`}>{value}</div>
      {hint ? <div className="mt-1 text-xs text-slate-500">{hint}</div> : null}
    </div>
  );
}

/** Jobs completed per second over the last two minutes, as an area chart. */
function ThroughputChart({ points }: { points: number[] }) {
  const width = 600;
  const height = 140;
  const max = Math.max(1, ...points);
  const step = points.length > 1 ? width / (points.length - 1) : width;
  const y = (v: number) => height - (v / max) * (height - 10);
  const line = points.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
  return (
    <div className="relative">
    <span className="absolute left-1 top-0 text-[11px] text-slate-400">{max}/s</span>
    <svg viewBox={`0 0 ${width} ${height}`} preserveAspectRatio="none" className="h-40 w-full" role="img" aria-label={`jobs per second, peak ${max}`} data-testid="throughput-chart">
      {[0.25, 0.5, 0.75].map((f) => (
        <line key={f} x1={0} x2={width} y1={height * f} y2={height * f} stroke="rgba(255,255,255,0.06)" vectorEffect="non-scaling-stroke" />
      ))}
      <path d={`${line} L${width},${height} L0,${height} Z`} fill="rgba(56,189,248,0.15)" />
      <path d={line} fill="none" stroke="rgb(56,189,248)" strokeWidth={2} vectorEffect="non-scaling-stroke" />
    </svg>
    </div>
  );
}

function DepthBar({ counts }: { counts: QueueOverview['counts'] }) {
  const parts = [
    { key: 'waiting', value: counts.waiting, color: 'bg-sky-400' },
    { key: 'active', value: counts.active, color: 'bg-emerald-400' },
    { key: 'delayed', value: counts.delayed, color: 'bg-amber-400' },
    { key: 'dead', value: counts.dead, color: 'bg-rose-500' },
  ];
  const total = Math.max(1, parts.reduce((a, p) => a + p.value, 0));
  return (
    <div>
      <div className="flex h-3 overflow-hidden rounded-full bg-white/5">
        {parts.map((p) => (p.value ? <div key={p.key} className={p.color} style={{ width: `${(p.value / total) * 100}%` }} /> : null))}
      </div>
      <div className="mt-2 flex flex-wrap gap-4 text-xs text-slate-400">
        {parts.map((p) => (
          <span key={p.key} className="inline-flex items-center gap-1.5">
            <span className={`h-2 w-2 rounded-full ${p.color}`} /> {p.key} {p.value}
          </span>
        ))}
      </div>
    </div>
  );
}

// Relative to the overview's own time (`at`), never to the clock at render: the server and the
// browser render the same text (React error #418 otherwise), and it moves with every poll.
const ago = (iso: string, at: string) => {
  const s = Math.max(0, Math.round((Date.parse(at) - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s ago` : s < 3600 ? `${Math.round(s / 60)}m ago` : `${Math.round(s / 3600)}h ago`;
};

export function JobsDashboard({ initial }: { initial: QueueOverview }) {
  const [data, setData] = useState(initial);
  const [stale, setStale] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const res = await fetch('/api/admin/jobs', { cache: 'no-store' });
      if (!res.ok) throw new Error(String(res.status));
      setData((await res.json()) as QueueOverview);
      setStale(false);
    } catch {
      setStale(true);
    }
  }, []);

  useEffect(() => {
    const timer = setInterval(refresh, POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  async function act(id: string, action: 'retry' | 'discard') {
    setBusy(id);
    setMessage(null);
    try {
      const res = await fetch(`/api/admin/jobs/dead-letters/${encodeURIComponent(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ action }),
      });
      const body = (await res.json().catch(() => ({}))) as { error?: { message: string } };
      setMessage(res.ok ? `${action === 'retry' ? 'Retried' : 'Discarded'} ${id}` : (body.error?.message ?? `failed (${res.status})`));
      await refresh();
    } finally {
      setBusy(null);
    }
  }

  const { counts } = data;
  return (
    <div className="mt-6 space-y-6">
      <div className="grid grid-cols-2 gap-4 md:grid-cols-5">
        <Stat label="Waiting" value={counts.waiting} hint={data.oldestWaitingMs ? `oldest ${(data.oldestWaitingMs / 1000).toFixed(1)} s` : 'none waiting'} />
        <Stat label="Active" value={counts.active} tone="text-emerald-300" />
        <Stat label="Delayed" value={counts.delayed} tone="text-amber-300" hint="waiting to retry" />
        <Stat label="Dead letters" value={counts.dead} tone={counts.dead ? 'text-rose-300' : 'text-white'} />
        <Stat label="Jobs per second" value={data.jobsPerSecond} tone="text-sky-300" hint="last 10 s" />
      </div>

      <section className="rounded-2xl border border-white/10 bg-white/[0.03] p-5">
        <div className="flex items-center justify-between">
          <h2 className="text-base font-semibold text-white">Throughput, last two minutes</h2>
          <span className={`text-xs ${stale ? 'text-amber-300' : 'text-slate-500'}`} data-testid="updated-at">
            {stale ? 'update failed, retrying' : `updated ${data.at.slice(11, 19)} UTC`}
          </span>
        </div>
        <ThroughputChart points={data.completedPerSecond} />
        <DepthBar counts={counts} />
      </section>

      <div className="grid grid-cols-1 gap-6 md:grid-cols-2">
        <section className="rounded-2xl border border-white/10 bg-white/[0.03] p-5">
          <h2 className="text-base font-semibold text-white">Workers alive ({data.workers.length})</h2>
          <ul className="mt-3 space-y-2 text-sm" data-testid="workers">
            {data.workers.map((w) => (
              <li key={w.id} className="flex items-center justify-between gap-3">
                <span className="inline-flex items-center gap-2 font-mono text-slate-200">
                  <span className="h-2 w-2 rounded-full bg-emerald-400" /> {w.host} pid {w.pid}
                </span>
                <span className="text-xs text-slate-400">
                  ×{w.concurrency} · seen {ago(w.seenAt, data.at)}
                </span>
              </li>
            ))}
            {!data.workers.length ? <li className="text-slate-400">No worker is running. Start a node with ROLES=worker (or all).</li> : null}
          </ul>
        </section>
        <section className="rounded-2xl border border-white/10 bg-white/[0.03] p-5">
          <h2 className="text-base font-semibold text-white">Recent failures</h2>
          <ul className="mt-3 space-y-2 text-sm">
            {data.failures.map((f, i) => (
              <li key={`${f.id}-${f.attempt}-${i}`} className="text-slate-300">
                <span className={f.dead ? 'text-rose-300' : 'text-amber-300'}>{f.dead ? 'dead' : `attempt ${f.attempt}`}</span>{' '}
                <span className="font-mono">{f.name}</span> #{f.id} · {ago(f.at, data.at)}
                <div className="truncate font-mono text-xs text-slate-500">{f.error}</div>
              </li>
            ))}
            {!data.failures.length ? <li className="text-slate-400">No failures.</li> : null}
          </ul>
        </section>
      </div>

      <section className="rounded-2xl border border-white/10 bg-white/[0.03] p-5">
        <div className="flex items-center justify-between">
          <h2 className="text-base font-semibold text-white">Dead letters</h2>
          {message ? (
            <span className="min-w-0 text-sm text-slate-300 [overflow-wrap:anywhere]" role="status">
              {message}
            </span>
          ) : null}
        </div>
        {/* A table does not shrink below its content: it scrolls in its section, never the page. */}
        <div className="mt-3 overflow-x-auto">
        <table className="w-full text-left text-sm" data-testid="dead-letters">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-2">Job</th>
              <th>Attempts</th>
              <th>Last error</th>
              <th>Failed</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data.deadLetters.map((d) => (
              <tr key={d.id} className="border-t border-white/5 align-top" data-testid={`dead-letter-${d.id}`}>
                <td className="py-2 font-mono text-slate-200">
                  {d.name} <span className="text-slate-500">{d.id}</span>
                  <div className="max-w-xs truncate text-xs text-slate-500">{d.preview}</div>
                </td>
                <td className="tabular-nums">{d.attempts}</td>
                {/* truncate on the cell itself is ignored (a cell grows to its content); a capped block inside is cut. */}
                <td className="font-mono text-xs text-rose-200">
                  <div className="max-w-[10rem] truncate sm:max-w-sm" title={d.lastError}>{d.lastError}</div>
                </td>
                <td className="text-slate-400">{ago(d.failedAt, data.at)}</td>
                <td className="whitespace-nowrap text-right">
                  <button className="mr-2 rounded-lg bg-sky-500/20 px-3 py-1 text-sky-200 hover:bg-sky-500/30 disabled:opacity-50" disabled={busy === d.id} onClick={() => act(d.id, 'retry')}>
                    Retry
                  </button>
                  <button className="rounded-lg bg-rose-500/10 px-3 py-1 text-rose-200 hover:bg-rose-500/20 disabled:opacity-50" disabled={busy === d.id} onClick={() => act(d.id, 'discard')}>
                    Discard
                  </button>
                </td>
              </tr>
            ))}
            {!data.deadLetters.length ? (
              <tr>
                <td colSpan={5} className="py-3 text-slate-400">
                  No dead letters.
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
        </div>
      </section>
    </div>
  );
}
