// Validates STIX 2.1 objects against the official OASIS JSON schemas (tests/fixtures/stix2-schemas,
// draft 2020-12) with ajv (without the u flag: the schemas' patterns escape '-', valid only in
// non-unicode regular expressions): each object against its type's schema, a bundle's envelope by hand (the
// official bundle schema refers to every STIX type; only the ones Sluice exports are vendored).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

const DIR = path.resolve(import.meta.dirname, '../../fixtures/stix2-schemas/schemas');
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';

const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
for (const sub of readdirSync(DIR)) {
  for (const file of readdirSync(path.join(DIR, sub))) ajv.addSchema(JSON.parse(readFileSync(path.join(DIR, sub, file), 'utf8')));
}

const SCHEMA_OF: Record<string, string> = {
  indicator: `${BASE}/sdos/indicator.json`,
  identity: `${BASE}/sdos/identity.json`,
  sighting: `${BASE}/sros/sighting.json`,
  'marking-definition': `${BASE}/common/marking-definition.json`,
};

/** The schema errors of one object (empty when valid). */
export function stixErrors(object: Record<string, unknown>): string[] {
  const id = SCHEMA_OF[String(object.type)];
  if (!id) return [`no vendored schema for type ${String(object.type)}`];
  const validate = ajv.getSchema(id)!;
  return validate(object) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** Errors of a bundle: its envelope (type, identifier, at least one object) and every object. */
export function bundleErrors(bundle: { type?: unknown; id?: unknown; objects?: unknown }): string[] {
  const errors: string[] = [];
  const identifier = ajv.getSchema(`${BASE}/common/identifier.json`)!;
  if (bundle.type !== 'bundle') errors.push('type is not bundle');
  if (typeof bundle.id !== 'string' || !bundle.id.startsWith('bundle--') || !identifier(bundle.id)) errors.push(`bad bundle id ${String(bundle.id)}`);
  if (!Array.isArray(bundle.objects) || !bundle.objects.length) errors.push('objects is not a non-empty array');
  for (const o of (bundle.objects as Record<string, unknown>[]) ?? []) errors.push(...stixErrors(o).map((e) => `${String(o.id)}: ${e}`));
  return errors;
}

/** The StringLiteral rule of the STIX pattern grammar (STIXPattern.g4): QUOTE ( ~['\\] | '\\\'' | '\\\\' )* QUOTE */
export const STIX_STRING_LITERAL = /'((?:[^'\\]|\\'|\\\\)*)'/;

/** The value of a one-comparison pattern Sluice writes, unescaped; null when it does not parse. */
export function patternValue(pattern: string): { path: string; op: string; value: string } | null {
  const m = /^\[([a-z0-9-]+:[A-Za-z0-9_]+(?:\.(?:[A-Za-z0-9_]+|'[^'\\]*'))*) (=|ISSUBSET) '((?:[^'\\]|\\'|\\\\)*)'\]$/.exec(pattern);
  if (!m) return null;
  return { path: m[1], op: m[2], value: m[3].replace(/\\(['\\])/g, '$1') };
}
