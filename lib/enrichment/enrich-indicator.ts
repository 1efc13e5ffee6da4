// Enrichment of an IP indicator: its AS number, AS organisation and country, a pure function of the
// address and the installed database version. The database is opened once per process, on first
// use (lib/process-state.ts), and a lookup costs about a microsecond (bench/README.md). Addresses
// that are not global unicast (private, loopback, documentation, multicast, 6to4, ...) get nothing,
// whatever the data says about them.
import ipaddr from 'ipaddr.js';
import type { IndicatorType } from '../indicators/types';
import { parseIP } from '../indicators/net';
import { processSlot } from '../process-state';
import { loadEnrichmentDatabase, type EnrichmentDatabase } from './load-enrichment-database';

/** What an event's indicator, /check and the indicator page carry for an IP (each field only when known). */
export interface IpEnrichment {
  /** Autonomous system number announcing the address. */
  asn?: number;
  /** The autonomous system's organisation name. */
  asOrganization?: string;
  /** ISO 3166-1 alpha-2 country code (upper case). */
  country?: string;
}

type Slot = { db: EnrichmentDatabase; error?: undefined } | { db?: undefined; error: string };

function slot(): Slot {
  return processSlot<Slot>('enrichment-database', () => {
    try {
      return { db: loadEnrichmentDatabase() };
    } catch (error) {
      // A missing or unreadable database leaves events and pages without enrichment; the status
      // command (npm run enrichment:status) says why.
      return { error: error instanceof Error ? error.message : String(error) };
    }
  });
}

/** The process's enrichment database (opened now if it was not), or null when it cannot be read. */
export function getEnrichmentDatabase(): EnrichmentDatabase | null {
  return slot().db ?? null;
}

/** Why the database could not be opened, or null. */
export function getEnrichmentError(): string | null {
  return slot().error ?? null;
}

const NONE: Readonly<IpEnrichment> = Object.freeze({});

/** Enrichment of one IP address given as text (IPv4 dotted quad or IPv6); empty for anything else. */
export function enrichIp(value: string): IpEnrichment {
  const ip = parseIP(value);
  if (!ip) return NONE;
  const bytes = ip.bytes;
  if (ipaddr.fromByteArray(bytes).range() !== 'unicast') return NONE;
  const db = getEnrichmentDatabase();
  if (!db) return NONE;
  const as = db.asn.lookup(bytes);
  const country = db.country(value);
  if (!as && !country) return NONE;
  const out: IpEnrichment = {};
  if (as) {
    out.asn = as.asn;
    if (as.name) out.asOrganization = as.name;
  }
  if (country) out.country = country;
  return out;
}

/** Enrichment of an indicator: ipv4 and ipv6 values only (a network or a host name gets nothing). */
export function enrichIndicator(type: IndicatorType, value: string): IpEnrichment {
  return type === 'ipv4' || type === 'ipv6' ? enrichIp(value) : NONE;
}
