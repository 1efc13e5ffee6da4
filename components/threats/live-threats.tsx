'use client';
// The threats list and its live updates: server-rendered from `initial` (works without JavaScript);
// new public indicators then collect behind an "N new" button (floating, so the list never jumps)
// and are revealed on top when clicked. The rows come in as compact props rather than as a server
// tree: the page's payload stays small (it is served from the ISR cache at high rates).
import { useEffect, useRef, useState } from 'react';
import type { FirehoseEvent } from '@/lib/events';
import { INDICATOR_TYPES, type IndicatorType } from '@/lib/indicators/types';
import { threatsPath } from '@/lib/threats/paths';
import type { ThreatFilters } from '@/lib/threats/types';
import { ThreatRow, threatKey, type ThreatRowItem } from './threat-row';
import { eventToItem, LiveDot, usePublicStream } from './use-public-stream';

const MAX_PENDING = 200;
const MAX_SHOWN = 100;

export interface LiveThreatsProps {
  filters: ThreatFilters;
  initial: ThreatRowItem[];
  /** When `initial` was read: the first render's "N minutes ago" is relative to it (same on server and client). */
  generatedAt: number;
  empty: React.ReactNode;
}

export function LiveThreats({ filters, initial, generatedAt, empty }: LiveThreatsProps) {
  const [pending, setPending] = useState<ThreatRowItem[]>([]);
  const [shown, setShown] = useState<ThreatRowItem[]>([]);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [now, setNow] = useState(generatedAt);
  const [received, setReceived] = useState(0);
  const top = useRef<HTMLDivElement>(null);

  const { status } = usePublicStream((events: FirehoseEvent[]) => {
    const matching = events.filter(
      // A `retracted` event withdraws a value (docs/trust.md): never shown as a new threat.
      (e) => e.kind !== 'retracted' && (!filters.type || e.indicator.type === filters.type) && (!filters.tag || e.indicator.tags.includes(filters.tag)),
    );
    setReceived((n) => n + events.length);
    if (!matching.length) return;
    setPending((current) => {
      const byKey = new Map(current.map((item) => [threatKey(item), item]));
      for (const event of matching) {
        const item = eventToItem(event);
        byKey.delete(threatKey(item));
        byKey.set(threatKey(item), item); // newest last
      }
      return [...byKey.values()].slice(-MAX_PENDING);
    });
  });

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    // Old-style links (/threats?type=url&tag=x) reach the cached unfiltered page: move to the filtered one.
    const query = new URLSearchParams(window.location.search);
    const type = query.get('type');
    const tag = query.get('tag')?.trim().toLowerCase() || null;
    if ((type || tag) && !filters.type && !filters.tag) {
      const known = type && (INDICATOR_TYPES as readonly string[]).includes(type) ? (type as IndicatorType) : null;
      window.location.replace(threatsPath({ type: known, tag }));
    }
  }, [filters]);

  const revealedKeys = new Set(shown.map(threatKey));

  const reveal = () => {
    const revealed = [...pending].reverse();
    const keys = new Set(revealed.map(threatKey));
    setShown((current) => [...revealed, ...current.filter((item) => !keys.has(threatKey(item)))].slice(0, MAX_SHOWN));
    setPending([]);
    setFresh(keys);
    setNow(Date.now());
    setTimeout(() => setFresh(new Set()), 1600);
    top.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  };

  return (
    <div ref={top} className="scroll-mt-20">
      <div className="flex items-center gap-2 border-b border-white/5 px-4 py-2 text-xs text-slate-400 sm:px-5" data-testid="live-status" data-status={status}>
        <LiveDot status={status} />
        {status === 'live' ? (
          <span>
            Live · {received ? `${received} event${received === 1 ? '' : 's'} since you opened this page` : 'waiting for new reports'}
          </span>
        ) : status === 'connecting' ? (
          <span>Connecting to the live stream…</span>
        ) : (
          <span>Live updates paused — reconnecting</span>
        )}
      </div>
      <div className="pointer-events-none sticky top-16 z-10 h-0">
        {pending.length ? (
          <div className="flex justify-center">
            <button
              type="button"
              onClick={reveal}
              className="pointer-events-auto mt-2 inline-flex items-center gap-2 rounded-full bg-brand-500 px-4 py-1.5 text-sm font-semibold text-ink-950 shadow-lg shadow-brand-500/30 ring-1 ring-brand-400 transition hover:bg-brand-400"
            >
              <span aria-hidden>↑</span> {pending.length} new indicator{pending.length === 1 ? '' : 's'}
            </button>
          </div>
        ) : null}
      </div>
      {shown.length || initial.length ? (
        <ul className="divide-y divide-white/5" data-testid="threat-list">
          {shown.map((item) => (
            <ThreatRow key={threatKey(item)} item={item} now={now} fresh={fresh.has(threatKey(item))} />
          ))}
          {initial.map((item) =>
            revealedKeys.has(threatKey(item)) ? null : <ThreatRow key={threatKey(item)} item={item} now={now} />,
          )}
        </ul>
      ) : (
        empty
      )}
    </div>
  );
}
