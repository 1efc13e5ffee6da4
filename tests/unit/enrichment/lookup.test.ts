// Enrichment lookups against the database shipped in node_modules (@ip-location-db/asn and
// @ip-location-db/geo-whois-asn-country-mmdb) and against small hand-made tables.
import { describe, expect, it } from 'vitest';
import { buildAsnTable } from '@/lib/enrichment/asn-table';
import { enrichIndicator, enrichIp, getEnrichmentDatabase } from '@/lib/enrichment';
import { builtAtFromVersion } from '@/lib/enrichment/load-enrichment-database';
import { parseIP } from '@/lib/indicators/net';

const bytes = (ip: string) => parseIP(ip)!.bytes;

describe('the shipped database', () => {
  it('opens, and says which data it holds', () => {
    const db = getEnrichmentDatabase();
    expect(db).not.toBeNull();
    expect(db!.info.asn.ranges.ipv4).toBeGreaterThan(100_000);
    expect(db!.info.asn.ranges.ipv6).toBeGreaterThan(10_000);
    expect(db!.info.asn.version).toMatch(/^\d+\.\d+\.\d{10}$/);
    expect(db!.info.country.builtAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  // Long-standing allocations: these announcements have not moved in a decade.
  it.each([
    ['1.1.1.1', 13335, /cloudflare/i],
    ['8.8.8.8', 15169, /google/i],
    ['193.0.6.139', 3333, /RIPE/],
    ['2606:4700:4700::1111', 13335, /cloudflare/i],
    ['2001:4860:4860::8888', 15169, /google/i],
  ])('%s is AS%i', (ip, asn, org) => {
    const e = enrichIp(ip);
    expect(e.asn).toBe(asn);
    expect(e.asOrganization).toMatch(org);
    expect(e.country).toMatch(/^[A-Z]{2}$/);
  });

  it('knows countries of both address families', () => {
    expect(enrichIp('8.8.8.8').country).toBe('US');
    expect(enrichIp('193.0.6.139').country).toBe('NL');
    expect(enrichIp('2001:4860:4860::8888').country).toBe('US');
  });

  it.each(['10.0.0.1', '192.168.1.1', '172.16.0.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '0.0.0.0', '255.255.255.255', '224.0.0.1',
    '192.0.2.1', '198.51.100.7', '203.0.113.9', '::1', '::', 'fe80::1', 'fc00::1', 'ff02::1', '2001:db8::1', '::ffff:8.8.8.8', '2002:808:808::1'])(
    'gives nothing for the non-global address %s (whatever the data says)',
    (ip) => {
      expect(enrichIp(ip)).toEqual({});
    },
  );

  it.each(['', 'example.com', '1.1.1', '01.1.1.1', '1.1.1.1/24', '3607101440', '2606:4700::1111::1', '1.1.1.1\n', 'x'.repeat(10_000)])(
    'gives nothing for the non-address %j',
    (value) => {
      expect(enrichIp(value)).toEqual({});
    },
  );

  it('enriches ipv4 and ipv6 indicators only', () => {
    expect(enrichIndicator('ipv4', '1.1.1.1').asn).toBe(13335);
    expect(enrichIndicator('ipv6', '2606:4700:4700::1111').asn).toBe(13335);
    expect(enrichIndicator('cidr', '1.1.1.0/24')).toEqual({});
    expect(enrichIndicator('domain', 'one.one.one.one')).toEqual({});
  });
});

describe('buildAsnTable', () => {
  const v4 = Buffer.from(
    [
      '16777216,16777471,13335,"Cloudflare, Inc."', // 1.0.0.0-1.0.0.255
      '16777472,16777727,64500,"Quote ""Test"" Ltd"', // 1.0.1.0-1.0.1.255
      'not,a,line',
      '167772160,184549375,64501,Big Block', // 10.0.0.0-10.255.255.255
      '167772416,167772671,64502,Inside', // 10.0.1.0/24: overlaps the block before
      '4294967040,4294967295,64503,', // 255.255.255.0/24, no name
    ].join('\r\n'),
  );
  const v6 = Buffer.from(
    ['2001:200::,2001:200:ffff:ffff:ffff:ffff:ffff:ffff,2500,WIDE Project', '2606:4700::,2606:4700:ffff:ffff:ffff:ffff:ffff:ffff,13335,"Cloudflare, Inc."', 'zz::,1::,1,bad'].join(
      '\n',
    ) + '\n',
  );
  const table = buildAsnTable(v4, v6);

  it('reads ranges, quoted names and lines without names, skipping lines that do not parse', () => {
    expect(table.size).toEqual({ ipv4: 5, ipv6: 2 });
    expect(table.lookup(bytes('1.0.0.0'))).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });
    expect(table.lookup(bytes('1.0.0.255'))).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });
    expect(table.lookup(bytes('1.0.1.7'))).toEqual({ asn: 64500, name: 'Quote "Test" Ltd' });
    expect(table.lookup(bytes('255.255.255.1'))).toEqual({ asn: 64503 });
  });

  it('finds nothing between and around ranges', () => {
    expect(table.lookup(bytes('0.255.255.255'))).toBeNull();
    expect(table.lookup(bytes('1.0.2.0'))).toBeNull();
    expect(table.lookup(bytes('11.0.0.0'))).toBeNull();
  });

  it('lets the later, more specific of two overlapping ranges win', () => {
    expect(table.lookup(bytes('10.0.0.255'))?.asn).toBe(64501);
    expect(table.lookup(bytes('10.0.1.1'))?.asn).toBe(64502);
  });

  it('reads IPv6 ranges written with ::', () => {
    expect(table.lookup(bytes('2001:200::1'))?.asn).toBe(2500);
    expect(table.lookup(bytes('2001:200:ffff:ffff:ffff:ffff:ffff:ffff'))?.asn).toBe(2500);
    expect(table.lookup(bytes('2001:201::'))).toBeNull();
    expect(table.lookup(bytes('2606:4700:4700::1111'))).toEqual({ asn: 13335, name: 'Cloudflare, Inc.' });
    expect(table.lookup(bytes('::1'))).toBeNull();
  });

  it('refuses unsorted data rather than answering wrongly', () => {
    expect(() => buildAsnTable(Buffer.from('200,300,1,b\n100,150,2,a\n'), Buffer.alloc(0))).toThrow(/not sorted/);
  });
});

it('reads the data date from an ip-location-db version', () => {
  expect(builtAtFromVersion('2.3.2026061719')).toBe('2026-06-17T19:00:00.000Z');
  expect(builtAtFromVersion('1.0.0')).toBeNull();
});
