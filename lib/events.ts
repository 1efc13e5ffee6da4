// The firehose event: what the relay appends to the log and what clients receive (DESIGN.md,
// "Public surface"; README "Events"). `cursor` is added on delivery: it is the position the log gave
// the event. Trust fields (docs/trust.md): confidence, distinct reporters, overridden warnings and
// the expiry from the type's lifetime.
import type { IndicatorType } from './indicators/types';

export const EVENT_KINDS = ['new', 'sighting', 'correlated', 'expired', 'retracted'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface FirehoseEventBody {
  /** Stable id (uuid) for client-side de-duplication; the outbox row's event_id. */
  id: string;
  kind: EventKind;
  indicator: {
    type: IndicatorType;
    value: string;
    tags: string[];
    /** 0–100: the report's confidence raised by corroboration, lowered by open disputes. */
    confidence: number;
    firstSeen: string;
    lastSeen: string;
    count: number;
    // The trust fields below are always present in events Sluice writes (lib/ingest, lib/trust);
    // they are optional in the type only for events built by hand (tests, tools).
    /** Distinct reporters of the value's public sightings (0 after a retraction). */
    reporters?: number;
    /** Warning lists the value is on, streamed anyway because enough reporters corroborated it. */
    warnings?: string[];
    /** Set when the value was held and is streamed because enough distinct reporters saw it. */
    corroborated?: boolean;
    // Enrichment of ipv4/ipv6 values (lib/enrichment, docs/enrichment.md), each present only when
    // the offline database knows it; never on other types, private or reserved addresses.
    /** Autonomous system number announcing the address. */
    asn?: number;
    /** That autonomous system's organisation. */
    asOrganization?: string;
    /** ISO 3166-1 alpha-2 country code. */
    country?: string;
  };
  feed: { slug: string; owner: string };
  reportedAt: string;
  /** When a consumer should stop acting on the value unless it is seen again (lastSeen + the type's lifetime). */
  expiresAt?: string;
  /** `retracted` events only: when and why an operator withdrew the value. */
  retraction?: { reason: string; at: string };
  /**
   * Where the event was first published (docs/federation.md): the instance id, the event's id
   * there and how many peer links it crossed (0: published here). Stamped by the relay on every
   * event it moves into the log; optional in the type for events built by hand.
   */
  origin?: EventOrigin;
}

export interface EventOrigin {
  instance: string;
  eventId: string;
  hops: number;
}

export interface FirehoseEvent extends FirehoseEventBody {
  cursor: string;
}
