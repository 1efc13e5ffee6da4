// Opens the offline enrichment databases installed from npm (docs/enrichment.md): AS number and
// organisation from @ip-location-db/asn (CSV: RouteViews, the five RIRs via NRO, DB-IP's IP to ASN
// Lite; CC BY 4.0) and the country from @ip-location-db/geo-whois-asn-country-mmdb (MMDB: GeoFeed,
// RIR whois, ASN; CC0, NRO data CC BY 4.0) through the `maxmind` reader. Nothing is downloaded:
// updating is `npm run enrichment:update`, then a restart.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Reader, type Response } from 'maxmind';
import { buildAsnTable, type AsnTable } from './asn-table';

export const ASN_PACKAGE = '@ip-location-db/asn';
export const COUNTRY_PACKAGE = '@ip-location-db/geo-whois-asn-country-mmdb';

export interface EnrichmentSource {
  package: string;
  /** The package's version: its last part is the data's date and hour (YYYYMMDDHH). */
  version: string;
  /** When the data was built (from the version, or the MMDB's build time), ISO. */
  builtAt: string | null;
  licence: string;
}

export interface EnrichmentDatabaseInfo {
  asn: EnrichmentSource & { ranges: { ipv4: number; ipv6: number } };
  country: EnrichmentSource;
  /** Milliseconds it took to open both. */
  loadMs: number;
}

export interface EnrichmentDatabase {
  readonly info: EnrichmentDatabaseInfo;
  asn: AsnTable;
  /** ISO 3166-1 alpha-2 code of an address (a string the reader accepts), or null. */
  country(address: string): string | null;
}

/** Where an installed package lives: next to this file's node_modules, else the working directory's. */
function packageDir(name: string, from?: string): string {
  const bases = [from, path.join(process.cwd(), 'package.json')].filter((b): b is string => Boolean(b));
  for (const base of bases) {
    try {
      return path.dirname(createRequire(base).resolve(`${name}/package.json`));
    } catch {
      // try the next base
    }
  }
  throw new Error(`the enrichment database ${name} is not installed (npm ci installs it)`);
}

function versionOf(dir: string): string {
  const raw = JSON.parse(readFileSync(/*turbopackIgnore: true*/ path.join(dir, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof raw.version === 'string' ? raw.version : 'unknown';
}

/** "2.3.2026061719" → 2026-06-17T19:00:00Z (ip-location-db's versions end with the build hour). */
export function builtAtFromVersion(version: string): string | null {
  const m = /\.(\d{4})(\d{2})(\d{2})(\d{2})$/.exec(version);
  if (!m) return null;
  const at = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  return Number.isNaN(at) ? null : new Date(at).toISOString();
}

const COUNTRY_RE = /^[A-Z]{2}$/;

export interface LoadOptions {
  /** Directory holding asn-ipv4-num.csv and asn-ipv6.csv. @default the installed @ip-location-db/asn */
  asnDir?: string;
  /** The country MMDB file. @default the installed @ip-location-db/geo-whois-asn-country-mmdb */
  countryFile?: string;
  /** A module URL or path to resolve the packages from. @default this module, then the working directory */
  resolveFrom?: string;
}

export function loadEnrichmentDatabase(options: LoadOptions = {}): EnrichmentDatabase {
  const started = performance.now();
  let from: string | undefined = options.resolveFrom;
  try {
    from ??= import.meta.url;
  } catch {
    // bundled without import.meta: the working directory is used
  }
  const asnDir = options.asnDir ?? packageDir(ASN_PACKAGE, from);
  const countryDir = options.countryFile ? path.dirname(options.countryFile) : packageDir(COUNTRY_PACKAGE, from);
  const countryFile = options.countryFile ?? path.join(countryDir, 'geo-whois-asn-country.mmdb');

  const asn = buildAsnTable(
    readFileSync(/*turbopackIgnore: true*/ path.join(asnDir, 'asn-ipv4-num.csv')),
    readFileSync(/*turbopackIgnore: true*/ path.join(asnDir, 'asn-ipv6.csv')),
  );
  // The reader caches decoded records by their position in the file: this database has one record
  // per country (a few hundred), so a plain Map holds them all and spares the decoding per lookup.
  const records = new Map<string | number, unknown>();
  const cache = { get: (key: string | number) => records.get(key), set: (key: string | number, value: unknown) => void (records.size < 10_000 && records.set(key, value)) };
  const reader = new Reader<Response>(readFileSync(/*turbopackIgnore: true*/ countryFile), { cache });
  const asnVersion = options.asnDir ? 'local' : versionOf(asnDir);
  const countryVersion = options.countryFile ? 'local' : versionOf(countryDir);
  const buildEpoch = reader.metadata.buildEpoch instanceof Date ? reader.metadata.buildEpoch : null;

  return {
    asn,
    country(address) {
      // This database's records are { country_code }, not MaxMind's GeoIP2 shape.
      const record: unknown = reader.get(address);
      const code = record && typeof record === 'object' ? (record as { country_code?: unknown }).country_code : undefined;
      return typeof code === 'string' && COUNTRY_RE.test(code) ? code : null;
    },
    info: {
      asn: {
        package: ASN_PACKAGE,
        version: asnVersion,
        builtAt: builtAtFromVersion(asnVersion),
        licence: 'CC BY 4.0 (RouteViews, NRO, DB-IP)',
        ranges: asn.size,
      },
      country: {
        package: COUNTRY_PACKAGE,
        version: countryVersion,
        builtAt: buildEpoch && !Number.isNaN(buildEpoch.getTime()) ? buildEpoch.toISOString() : builtAtFromVersion(countryVersion),
        licence: 'CC0 1.0 (NRO data: CC BY 4.0)',
      },
      loadMs: Math.round(performance.now() - started),
    },
  };
}
