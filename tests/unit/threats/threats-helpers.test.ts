// Pure parts of the threats views: filters, the TTL cache, CSV safety, sampling and formatting.
import { describe, expect, it } from 'vitest';
import { csvCell, formatAgo, formatUtc, indicatorPath, parseThreatFilters, parseThreatsPath, pickSample, threatFiltersQuery, toPublicStreamEvent, toThreatsCsv, TtlCache } from '@/lib/threats';

describe('filters', () => {
  it('keeps known types and sane tags, ignores the rest', () => {
    expect(parseThreatFilters(new URLSearchParams('type=ipv4&tag=%20Mirai%20'))).toEqual({ type: 'ipv4', tag: 'mirai' });
    expect(parseThreatFilters({ type: 'nope', tag: 'x'.repeat(65) })).toEqual({ type: null, tag: null });
    expect(parseThreatFilters({ type: ['url', 'ipv4'], tag: '' })).toEqual({ type: 'url', tag: null });
    expect(threatFiltersQuery({ type: 'url', tag: 'a b' })).toBe('?type=url&tag=a+b');
    expect(threatFiltersQuery({})).toBe('');
  });

  it('a path names a tag only if the tag could exist (the ingest rule): anything else is a 404, not a query', () => {
    expect(parseThreatsPath(['tag', 'mirai'])).toEqual({ type: null, tag: 'mirai' });
    expect(parseThreatsPath(['url', 'tag', encodeURIComponent('cobalt strike')])).toEqual({ type: 'url', tag: 'cobalt strike' });
    expect(parseThreatsPath(['tag', encodeURIComponent('日'.repeat(60))])).toEqual({ type: null, tag: '日'.repeat(60) });
    for (const bad of [
      ['tag', '%00'],
      ['tag', 'a%00b'],
      ['tag', '%0d%0aset-cookie'],
      ['tag', encodeURIComponent('日'.repeat(100))], // 300 bytes
      ['tag', encodeURIComponent('🦠'.repeat(75))],
      ['tag', 'x'.repeat(65)],
      ['tag', '%E0%A4%A'],
      ['tag', encodeURIComponent('<script>')],
      ['nope'],
      ['ipv4', 'extra'],
      ['tag'],
    ]) {
      expect(parseThreatsPath(bad), bad.join('/')).toBeNull();
    }
  });
});

describe('TtlCache', () => {
  it('loads once per TTL, shares in-flight loads, serves stale while one refresh runs', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<number>({ ttlMs: 100, staleMs: 1000, now: () => now });
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 1]);
    now = 50;
    expect(await cache.get('k', load)).toBe(1);
    now = 150; // stale: served at once, refreshed behind
    expect(await cache.get('k', load)).toBe(1);
    await new Promise((r) => setTimeout(r, 0));
    expect(await cache.get('k', load)).toBe(2);
    now = 5000; // too old to serve: wait for the load
    expect(await cache.get('k', load)).toBe(3);
  });

  it('evicts beyond maxEntries and forgets failed loads', async () => {
    const cache = new TtlCache<string>({ ttlMs: 1000, maxEntries: 2 });
    for (const k of ['a', 'b', 'c']) await cache.get(k, async () => k);
    expect(cache.size).toBe(2);
    await expect(cache.get('x', () => Promise.reject(new Error('db down')))).rejects.toThrow('db down');
    expect(cache.size).toBe(2);
  });

  it('evicts the least recently used, not the least recently set', async () => {
    const cache = new TtlCache<string>({ ttlMs: 60_000, maxEntries: 2 });
    await cache.get('popular', async () => 'p');
    await cache.get('b', async () => 'b');
    await cache.get('popular', async () => 'never'); // a hit: now the most recently used
    await cache.get('c', async () => 'c');
    expect(cache.has('popular')).toBe(true);
    expect(cache.has('b')).toBe(false);
    for (let i = 0; i < 100; i++) await cache.get(`junk-${i}`, async () => 'j');
    expect(cache.size).toBe(2);
  });
});

describe('the public stream event', () => {
  it('keeps the feed slug and drops the owner id', () => {
    const event = {
      id: 'e1',
      cursor: '1-0',
      kind: 'new' as const,
      indicator: { type: 'domain' as const, value: 'a.example', tags: [], confidence: 50, firstSeen: 'x', lastSeen: 'x', count: 1 },
      feed: { slug: 'honeypot', owner: '5b0c0e5e-0000-4000-8000-000000000001' },
      reportedAt: 'x',
    };
    const out = toPublicStreamEvent(event);
    expect(out.feed).toEqual({ slug: 'honeypot' });
    expect(JSON.stringify(out)).not.toContain(event.feed.owner);
    expect(event.feed.owner).toBeDefined(); // the input is not changed
  });
});

describe('CSV', () => {
  it('neutralises formulas and quotes what needs quoting', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    for (const s of ['+1', '-1', '@SUM(A1)', '\tx']) expect(csvCell(s).replace(/^"/, '')[0]).toBe("'");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('plain.example')).toBe('plain.example');
    expect(csvCell(42)).toBe('42');
    const csv = toThreatsCsv({
      generatedAt: '',
      filters: { type: null, tag: null },
      poolSize: 1,
      items: [{ type: 'url', value: 'http://a.com/x,"y"', tags: ['=cmd'], feed: { slug: 'f', owner: 'o' }, confidence: 5, sightings: 1, firstSeen: 'a', lastSeen: 'b' }],
    });
    expect(csv.split('\r\n')[1]).toBe(`url,"http://a.com/x,""y""","hxxp://a[.]com/x,""y""",'=cmd,f,o,5,1,a,b`);
  });
});

describe('sampling and formatting', () => {
  it('samples without repeats and keeps order', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    const s = pickSample(items, 10);
    expect(new Set(s).size).toBe(10);
    expect([...s].sort((a, b) => a - b)).toEqual(s);
    expect(pickSample([1, 2], 10)).toEqual([1, 2]);
  });

  it('says how long ago, and the exact UTC time', () => {
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(formatAgo('2026-11-22T11:59:50Z', now)).toBe('just now');
    expect(formatAgo('2026-11-22T11:59:00Z', now)).toBe('1 minute ago');
    expect(formatAgo('2026-11-22T11:35:00Z', now)).toBe('25 minutes ago');
    expect(formatAgo('2026-11-22T09:00:00Z', now)).toBe('3 hours ago');
    expect(formatAgo('2026-11-18T12:00:00Z', now)).toBe('4 days ago');
    expect(formatUtc('2026-11-22T11:35:07.123Z')).toBe('2026-11-22 11:35:07 UTC');
  });

  it('links only to our own indicator page, value encoded', () => {
    expect(indicatorPath('url', 'javascript:alert(1)//x?y#z')).toBe('/i/url/javascript%3Aalert(1)%2F%2Fx%3Fy%23z');
  });
});
