// Shapes of the public threats views. Everything here is built from public sightings only.
import type { IndicatorType } from '../indicators/types';

export interface ThreatFilters {
  type: IndicatorType | null;
  tag: string | null;
}

/**
 * A feed as the public pages show it. Only a feed that is public NOW is named: a sighting reported
 * while the feed was public stays public, but once the feed is made private its name (and any name
 * it takes later) never reaches a public page — that sighting's feed is `null` ("a private feed").
 * The owner is a display name or nothing, never an internal user id.
 */
export interface PublicFeedRef {
  slug: string;
  /** The owner's display name (users.display_name), or null when they have none. */
  owner: string | null;
}

/** One indicator on the threats page and in its exports. */
export interface ThreatItem {
  type: IndicatorType;
  value: string;
  /** Tags of its recent public sightings (at most a handful). */
  tags: string[];
  /** The feed of its most recent public sighting; null when that feed is private now. */
  feed: PublicFeedRef | null;
  /** Confidence of its most recent public sighting. */
  confidence: number;
  /** Public sightings ever. */
  sightings: number;
  firstSeen: string;
  lastSeen: string;
}

export interface ThreatList {
  generatedAt: string;
  filters: ThreatFilters;
  /** How many of the most recent matching indicators the sample was drawn from. */
  poolSize: number;
  items: ThreatItem[];
}

export interface HourBucket {
  /** Start of the hour (UTC, ISO). */
  hour: string;
  count: number;
}

export interface ThreatTotals {
  generatedAt: string;
  /** Indicators with at least one public sighting. */
  indicators: number;
  /** Public sightings reported in the last 24 hours. */
  sightings24h: number;
  /** Indicators first seen publicly in the last 24 hours. */
  new24h: number;
  /** Public feeds that reported in the last 24 hours. */
  activeFeeds24h: number;
  /** Public sightings received in the last 60 seconds. */
  lastMinute: number;
}
