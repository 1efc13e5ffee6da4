// Shapes of the bulk exports: a snapshot of what would stream, and one request against it.
import type { IndicatorType } from '../indicators/types';

export type ExportTier = 'free' | 'firehose';

/** One exported indicator: only its public, non-held, non-retracted sightings count. */
export interface ExportRow {
  /** indicators.id: stable, so rule ids (sid) derived from it stay the same between downloads. */
  id: number;
  type: IndicatorType;
  value: string;
  /** Highest confidence among its exported sightings. */
  confidence: number;
  /** Distinct tags of its recent exported sightings (sorted, at most 16). */
  tags: string[];
  /** Slugs of the public feeds that reported it (sorted, at most 16). */
  feeds: string[];
  firstSeen: string;
  lastSeen: string;
}

export interface ExportSnapshot {
  tier: ExportTier;
  /** When it was computed. */
  generatedAt: string;
  /** Sightings recorded after this instant are not in it (now minus the tier's delay). */
  asOf: string;
  /** The window it covers, in days. */
  days: number;
  /** True when EXPORTS_MAX_ROWS cut it: older indicators were left out. */
  truncated: boolean;
  /** Most recently seen first. */
  rows: ExportRow[];
}

export const EXPORT_FORMATS = ['txt', 'csv', 'json', 'rpz', 'suricata', 'snort'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportQuery {
  format: ExportFormat;
  /** One type (the {type}.txt lists); null for every type the format carries. */
  type: IndicatorType | null;
  days: number;
  tag: string | null;
  feed: string | null;
  minConfidence: number;
}
