'use client';
// The landing page's live numbers and ticker: server-rendered figures, then kept moving by the
// public stream (/public): every public event is a sighting, every `new` one a new indicator.
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { defang } from '@/lib/indicators/defang';
import type { FirehoseEvent } from '@/lib/events';
import { formatAgo, formatCount, formatUtc, indicatorPath } from '@/lib/threats/format';
import { threatKey, type ThreatRowItem } from './threat-row';
import { TypeBadge } from './type-badge';
import { eventToItem, LiveDot, usePublicStream } from './use-public-stream';

export interface LiveCountersProps {
  indicators: number;
  sightings24h: number;
  /** Public sightings received in the minute before `generatedAt`. */
  lastMinute: number;
  latest: ThreatRowItem[];
  generatedAt: number;
}

export function LiveCounters({ indicators, sightings24h, lastMinute, latest, generatedAt }: LiveCountersProps) {
  const [totals, setTotals] = useState({ indicators, sightings24h });
  const [arrivals, setArrivals] = useState<number[]>([]);
  const [now, setNow] = useState(generatedAt);
  const [ticker, setTicker] = useState(latest);

  const { status, connectedAt } = usePublicStream((events: FirehoseEvent[]) => {
    const at = Date.now();
    setTotals((t) => ({ indicators: t.indicators + events.filter((e) => e.kind === 'new').length, sightings24h: t.sightings24h + events.length }));
    setArrivals((a) => [...a.filter((t) => at - t < 60_000), ...events.map(() => at)].slice(-5000));
    setTicker((current) => {
      const incoming = events.slice(-6).reverse().map(eventToItem);
      const keys = new Set(incoming.map(threatKey));
      return [...incoming, ...current.filter((item) => !keys.has(threatKey(item)))].slice(0, 6);
    });
    setNow(at);
  });

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 5_000);
    return () => clearInterval(timer);
  }, []);

  // Until the page has listened for a whole minute, the server's count of the previous minute fills in.
  const recent = arrivals.filter((t) => now - t < 60_000).length;
  const perMinute = connectedAt !== null && now - connectedAt >= 60_000 ? recent : Math.max(lastMinute, recent);

  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-5">
      <dl className="grid grid-cols-3 gap-3 lg:col-span-3 lg:grid-cols-1">
        <Counter label="Public indicators" value={formatCount(totals.indicators)} testId="counter-indicators" />
        <Counter label="Sightings · last 24 h" value={formatCount(totals.sightings24h)} testId="counter-sightings" />
        <Counter
          label="Events · last minute"
          value={formatCount(perMinute)}
          testId="counter-per-minute"
          extra={
            <span className="inline-flex items-center gap-1.5 text-[11px] font-normal text-slate-400">
              <LiveDot status={status} /> {status === 'live' ? 'live' : status}
            </span>
          }
        />
      </dl>
      <div className="rounded-xl border border-white/10 bg-white/[0.025] lg:col-span-2">
        <div className="flex items-center justify-between border-b border-white/5 px-4 py-2.5">
          <span className="text-xs font-medium text-slate-300">Reported just now</span>
          <Link href="/threats" className="text-xs text-brand-400 hover:text-brand-100">
            See all →
          </Link>
        </div>
        <ul className="divide-y divide-white/5" data-testid="ticker">
          {ticker.map((item) => (
            <li key={threatKey(item)} className="flex h-11 items-center gap-3 px-4">
              <TypeBadge type={item.type} />
              <a href={indicatorPath(item.type, item.value)} className="min-w-0 flex-1 truncate font-mono text-xs text-slate-200 hover:text-brand-400">
                {defang(item.type, item.value)}
              </a>
              <time dateTime={item.lastSeen} title={formatUtc(item.lastSeen)} className="shrink-0 text-[11px] text-slate-500">
                {formatAgo(item.lastSeen, now)}
              </time>
            </li>
          ))}
          {ticker.length ? null : <li className="px-4 py-8 text-center text-xs text-slate-500">Waiting for the first public report…</li>}
        </ul>
      </div>
    </div>
  );
}

function Counter({ label, value, extra, testId }: { label: string; value: string; extra?: React.ReactNode; testId: string }) {
  return (
    <div className="rounded-xl border border-white/10 bg-white/[0.025] px-4 py-3 lg:flex lg:items-baseline lg:justify-between">
      <dt className="flex items-center justify-between gap-2 text-[11px] font-medium tracking-wider text-slate-400 uppercase lg:order-2">
        <span>{label}</span>
        <span className="hidden lg:inline">{extra}</span>
      </dt>
      <dd className="mt-1 text-xl font-semibold text-white tabular-nums sm:text-3xl lg:mt-0" data-testid={testId}>
        {value}
      </dd>
      <span className="mt-1 lg:hidden">{extra}</span>
    </div>
  );
}
