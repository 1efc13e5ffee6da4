// Builds STIX 2.1 objects from rows of the projection (stix_objects): a public value's `indicator`,
// a public feed's `sighting` of it, the instance's `identity`, and the TLP:CLEAR marking (every
// object Sluice exports is public data).
import type { IndicatorType } from '../indicators/types';
import { expiresAt, type TrustPolicy } from '../trust/policy';
import { identityStixId, indicatorStixId, sightingStixId } from './ids';
import { TLP2_MARKING_IDS } from './markings';
import { stixPattern } from './pattern';

export const STIX_SPEC_VERSION = '2.1';
const MARKINGS = [TLP2_MARKING_IDS.CLEAR];

/** One row of the projection, its times already formatted (date_added to the microsecond). */
export interface StixRow {
  seq: string;
  indicatorId: string;
  /** null: the indicator object; else the feed whose public sightings the sighting object sums up. */
  feedId: string | null;
  type: IndicatorType;
  value: string;
  dateAdded: string;
  created: string;
  modified: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
  confidence: number;
  labels: string[];
}

/** Who publishes: one identity per instance (per database). */
export interface StixInstance {
  /** Stable per database (the firehose log's epoch). */
  key: string;
  name: string;
  /** When the instance's log was created (ISO, milliseconds). */
  created: string;
  /** Public base URL for links to indicator pages, when known. */
  baseUrl?: string;
}

export type StixObject = Record<string, unknown> & { type: string; id: string; spec_version: string };

const TYPE_NAMES: Record<IndicatorType, string> = {
  ipv4: 'IPv4 address', ipv6: 'IPv6 address', cidr: 'network', domain: 'domain', url: 'URL', email: 'email address',
  md5: 'MD5 file hash', sha1: 'SHA-1 file hash', sha256: 'SHA-256 file hash', sha512: 'SHA-512 file hash',
};

export function stixIdentity(instance: StixInstance): StixObject {
  return {
    type: 'identity',
    spec_version: STIX_SPEC_VERSION,
    id: identityStixId(instance.key),
    created: instance.created,
    modified: instance.created,
    name: instance.name,
    description: 'A Sluice instance: a threat-intelligence firehose of indicators reported to its public feeds.',
    identity_class: 'system',
    object_marking_refs: MARKINGS,
  };
}

export function stixIndicator(row: StixRow, instance: StixInstance, lifetimes: TrustPolicy['lifetimes']): StixObject {
  const validUntil = expiresAt(row.type, row.lastSeen, lifetimes);
  const obj: StixObject = {
    type: 'indicator',
    spec_version: STIX_SPEC_VERSION,
    id: indicatorStixId(row.type, row.value),
    created_by_ref: identityStixId(instance.key),
    created: row.created,
    modified: row.modified,
    name: row.value.length > 256 ? `${row.value.slice(0, 255)}…` : row.value,
    description: `A ${TYPE_NAMES[row.type]} seen ${row.count} time${row.count === 1 ? '' : 's'} in public feeds (last ${row.lastSeen}).`,
    indicator_types: ['malicious-activity'],
    pattern: stixPattern(row.type, row.value),
    pattern_type: 'stix',
    pattern_version: STIX_SPEC_VERSION,
    valid_from: row.firstSeen,
    confidence: row.confidence,
    object_marking_refs: MARKINGS,
  };
  // valid_until must be later than valid_from (STIX 2.1 §4.7).
  if (Date.parse(validUntil) > Date.parse(row.firstSeen)) obj.valid_until = validUntil;
  if (row.labels.length) obj.labels = row.labels;
  if (instance.baseUrl) {
    obj.external_references = [{ source_name: 'sluice', url: `${instance.baseUrl.replace(/\/+$/, '')}/i/${row.type}/${encodeURIComponent(row.value)}` }];
  }
  return obj;
}

export function stixSighting(row: StixRow & { feedId: string }, instance: StixInstance): StixObject {
  return {
    type: 'sighting',
    spec_version: STIX_SPEC_VERSION,
    id: sightingStixId(row.feedId, row.type, row.value),
    created_by_ref: identityStixId(instance.key),
    created: row.created,
    modified: row.modified,
    first_seen: row.firstSeen,
    last_seen: row.lastSeen,
    count: Math.min(row.count, 999_999_999),
    sighting_of_ref: indicatorStixId(row.type, row.value),
    where_sighted_refs: [identityStixId(instance.key)],
    summary: true,
    confidence: row.confidence,
    object_marking_refs: MARKINGS,
  };
}

export function stixObjectOf(row: StixRow, instance: StixInstance, lifetimes: TrustPolicy['lifetimes']): StixObject {
  return row.feedId === null ? stixIndicator(row, instance, lifetimes) : stixSighting({ ...row, feedId: row.feedId }, instance);
}

/** The STIX id a row stands for. */
export function stixIdOf(row: Pick<StixRow, 'feedId' | 'type' | 'value'>): string {
  return row.feedId === null ? indicatorStixId(row.type, row.value) : sightingStixId(row.feedId, row.type, row.value);
}
