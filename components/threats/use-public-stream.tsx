'use client';
// Subscribes to the tokenless, read-only public stream (socket.io namespace /public, see
// lib/realtime/protocol.ts PUBLIC_NAMESPACE — not imported here to keep zod out of the browser bundle).
import { useEffect, useRef, useState } from 'react';
import { io } from 'socket.io-client';
import type { FirehoseEvent } from '@/lib/events';
import type { ThreatRowItem } from './threat-row';

export type StreamStatus = 'connecting' | 'live' | 'offline';

/** Connects on mount; returns the connection status and when it first connected (ms). */
export function usePublicStream(onEvents: (events: FirehoseEvent[]) => void): { status: StreamStatus; connectedAt: number | null } {
  const [status, setStatus] = useState<StreamStatus>('connecting');
  const [connectedAt, setConnectedAt] = useState<number | null>(null);
  const handler = useRef(onEvents);
  useEffect(() => {
    handler.current = onEvents;
  });
  useEffect(() => {
    const socket = io(`${window.location.origin}/public`, { transports: ['websocket', 'polling'], reconnectionDelayMax: 10_000 });
    socket.on('connect', () => {
      setStatus('live');
      setConnectedAt((at) => at ?? Date.now());
    });
    socket.on('disconnect', () => setStatus('offline'));
    socket.on('connect_error', () => setStatus('offline'));
    socket.on('indicators', (events: FirehoseEvent[]) => {
      if (Array.isArray(events) && events.length) handler.current(events);
    });
    return () => {
      socket.close();
    };
  }, []);
  return { status, connectedAt };
}

export function eventToItem(event: FirehoseEvent): ThreatRowItem {
  return {
    type: event.indicator.type,
    value: event.indicator.value,
    tags: event.indicator.tags.slice(0, 6),
    feed: event.feed.slug,
    sightings: event.indicator.count,
    lastSeen: event.indicator.lastSeen || event.reportedAt,
  };
}

export function LiveDot({ status }: { status: StreamStatus }) {
  const colour = status === 'live' ? 'bg-emerald-400' : status === 'connecting' ? 'bg-amber-400' : 'bg-slate-500';
  return (
    <span className="relative inline-flex h-2 w-2" aria-hidden>
      {status === 'live' ? <span className={`absolute inline-flex h-full w-full animate-ping rounded-full opacity-60 ${colour}`} /> : null}
      <span className={`relative inline-flex h-2 w-2 rounded-full ${colour}`} />
    </span>
  );
}
