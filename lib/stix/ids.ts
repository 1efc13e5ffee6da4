// Deterministic STIX identifiers: UUIDv5 (RFC 4122, SHA-1) under Sluice's fixed namespace, so that
// the same value gets the same `indicator--…` id on every export, every node and every instance.
import { createHash } from 'node:crypto';
import type { IndicatorType } from '../indicators/types';

/** Sluice's STIX namespace (a fixed UUID: changing it would re-identify every object ever exported). */
export const SLUICE_STIX_NAMESPACE = 'b4bf8577-fe5c-4354-988c-cbd5f44603b5';

export function uuidv5(name: string, namespace: string = SLUICE_STIX_NAMESPACE): string {
  const ns = Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(ns).update(name, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6] & 0x0f) | 0x50;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `indicator--<uuidv5("indicator|<type>|<value>")>` */
export function indicatorStixId(type: IndicatorType, value: string): string {
  return `indicator--${uuidv5(`indicator|${type}|${value}`)}`;
}

/** The sighting object of one feed's public sightings of a value. */
export function sightingStixId(feedId: string, type: IndicatorType, value: string): string {
  return `sighting--${uuidv5(`sighting|${feedId}|${type}|${value}`)}`;
}

/** The instance's identity: one per database (its firehose log epoch), so two instances differ. */
export function identityStixId(instanceKey: string): string {
  return `identity--${uuidv5(`identity|${instanceKey}`)}`;
}

/** The UUID part of a STIX id (`type--uuid`), or null when it is not one. */
export function stixIdUuid(id: string): { type: string; uuid: string } | null {
  const m = /^([a-z][a-z0-9-]{0,249})--([0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/.exec(id);
  return m ? { type: m[1], uuid: m[2] } : null;
}
