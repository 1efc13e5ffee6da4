// The asns/countries stream filters (docs/enrichment.md): strict parsing, one room per equivalent
// filter, and matching that never lets an event without the field through.
import { describe, expect, it } from 'vitest';
import type { FirehoseEvent } from '@/lib/events';
import { streamFiltersSchema } from '@/lib/realtime/protocol';
import { compileFilter } from '@/server/gateway/filters';
import { httpStreamAuth } from '@/server/gateway/http-stream';

const event = (indicator: Partial<FirehoseEvent['indicator']>): FirehoseEvent => ({
  id: 'e',
  cursor: 'c',
  kind: 'new',
  indicator: { type: 'ipv4', value: '193.0.6.139', tags: [], confidence: 50, firstSeen: '', lastSeen: '', count: 1, ...indicator },
  feed: { slug: 'f', owner: 'o' },
  reportedAt: '',
});

describe('asns and countries filters', () => {
  it('parse strictly: integers 1..2^32-1, ISO codes (upper-cased), at most 50 each', () => {
    expect(streamFiltersSchema.parse({ asns: [3333], countries: ['nl', ' De '] })).toEqual({ asns: [3333], countries: ['NL', 'DE'] });
    for (const bad of [{ asns: [0] }, { asns: [-1] }, { asns: [2 ** 32] }, { asns: ['3333'] }, { asns: [1.5] }, { countries: ['ZZ'] }, { countries: ['NLD'] }, { countries: [''] }, { asns: Array(51).fill(1) }, { countries: Array(51).fill('DE') }]) {
      expect(streamFiltersSchema.safeParse(bad).success, JSON.stringify(bad).slice(0, 60)).toBe(false);
    }
  });

  it('make one room for equivalent filters (numeric order, duplicates dropped)', () => {
    const a = compileFilter({ asns: [15169, 3333, 13335, 3333], countries: ['NL', 'DE'] });
    const b = compileFilter({ asns: [3333, 13335, 15169], countries: ['DE', 'NL', 'DE'] });
    expect(a.key).toBe(b.key);
    expect(a.filters).toEqual({ asns: [3333, 13335, 15169], countries: ['DE', 'NL'] });
    expect(a.matchesAll).toBe(false);
  });

  it('match only events carrying a listed value', () => {
    const byAsn = compileFilter({ asns: [3333] });
    expect(byAsn.matches(event({ asn: 3333, country: 'NL' }))).toBe(true);
    expect(byAsn.matches(event({ asn: 13335 }))).toBe(false);
    expect(byAsn.matches(event({ type: 'domain', value: 'x.example' }))).toBe(false);
    const byCountry = compileFilter({ countries: ['NL'], types: ['ipv4'] });
    expect(byCountry.matches(event({ country: 'NL' }))).toBe(true);
    expect(byCountry.matches(event({ country: 'DE' }))).toBe(false);
    expect(byCountry.matches(event({}))).toBe(false);
  });

  it('read the HTTP stream query: AS13335 and 13335 alike; anything else is left for the schema to refuse', () => {
    const auth = httpStreamAuth({ url: '/api/v1/stream?asns=AS13335,15169&asns=x&countries=de,nl', headers: {} });
    expect(auth).toMatchObject({ filters: { asns: [13335, 15169, 'x'], countries: ['de', 'nl'] } });
    expect(streamFiltersSchema.safeParse((auth as { filters: unknown }).filters).success).toBe(false);
  });
});
