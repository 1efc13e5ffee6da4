// The firehose event: what the relay appends to the log and what clients receive (DESIGN.md,
// "Public surface"). `cursor` is added on delivery: it is the position the log gave the event.
import type { IndicatorType } from './indicators/types';

export const EVENT_KINDS = ['new', 'sighting', 'correlated', 'expired'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface FirehoseEventBody {
  /** Stable id (uuid) for client-side de-duplication; the outbox row's event_id. */
  id: string;
  kind: EventKind;
  indicator: {
    type: IndicatorType;
    value: string;
    tags: string[];
    confidence: number;
    firstSeen: string;
    lastSeen: string;
    count: number;
  };
  feed: { slug: string; owner: string };
  reportedAt: string;
}

export interface FirehoseEvent extends FirehoseEventBody {
  cursor: string;
}
