// Warning-list matchers (lib/trust/matchers.ts): CIDR ranges, suffix walks, exact sets, and the
// shipped lists' semantics (Tranco names exactly, URLs only for a bare site).
import { describe, expect, it } from 'vitest';
import { compileWarningLists } from '@/lib/trust/matchers';
import { WarningLists } from '@/lib/trust/warning-lists';
import { eventConfidence, isEstablished } from '@/lib/trust/policy';
import { parseTrustConfig } from '@/lib/trust/config';

const lists = compileWarningLists([
  { id: 'nets', list: { name: 'nets', type: 'cidr', list: ['10.1.0.0/16', '10.1.2.3', '192.0.2.0/24', '2001:db8::/32', 'junk'] } },
  { id: 'hosts', list: { name: 'hosts', type: 'hostname', list: ['example.net', '.cdn.example'], matching_attributes: ['domain', 'url'] } },
  { id: 'top', list: { name: 'top', type: 'hostname', list: ['popular.com'] }, exactHosts: true },
  { id: 'strings', list: { name: 'strings', type: 'string', list: ['Exact.Org', '.suffix.org', 'abc123'] } },
]);

describe('compiled warning lists', () => {
  it('matches addresses and overlapping networks through merged ranges', () => {
    expect(lists.match('ipv4', '10.1.200.9')).toEqual(['nets']);
    expect(lists.match('ipv4', '10.2.0.1')).toEqual([]);
    expect(lists.match('ipv4', '192.0.2.255')).toEqual(['nets']);
    expect(lists.match('cidr', '10.0.0.0/8')).toEqual(['nets']);
    expect(lists.match('cidr', '10.3.0.0/16')).toEqual([]);
    expect(lists.match('ipv6', '2001:db8::1')).toEqual(['nets']);
    expect(lists.match('ipv6', '2001:db9::1')).toEqual([]);
  });
  it('walks domain suffixes for hostname lists, names exactly for Tranco-like lists', () => {
    expect(lists.match('domain', 'a.b.example.net')).toEqual(['hosts']);
    expect(lists.match('domain', 'x.cdn.example')).toEqual(['hosts']);
    expect(lists.match('domain', 'notexample.net')).toEqual([]);
    expect(lists.match('domain', 'popular.com')).toEqual(['top']);
    expect(lists.match('domain', 'www.popular.com')).toEqual(['top']);
    expect(lists.match('domain', 'evil.popular.com')).toEqual([]);
    expect(lists.match('domain', 'exact.org')).toEqual(['strings']);
    expect(lists.match('domain', 'sub.exact.org')).toEqual([]);
    expect(lists.match('domain', 'a.suffix.org')).toEqual(['strings']);
  });
  it('matches a URL only when it names the whole site and the list applies to URLs', () => {
    expect(lists.match('url', 'https://example.net/')).toEqual(['hosts']);
    expect(lists.match('url', 'https://example.net/phish/login')).toEqual([]);
    expect(lists.match('url', 'http://10.1.2.3/')).toEqual(['nets']);
    expect(lists.match('md5', 'ABC123')).toEqual(['strings']);
  });
  it('loads the shipped MISP lists', () => {
    const shipped = new WarningLists('lib/trust/lists').all();
    expect(shipped.match('ipv4', '8.8.8.8')).toContain('public-dns-v4');
    expect(shipped.match('ipv6', '2001:4860:4860::8888')).toContain('public-dns-v6');
    expect(shipped.match('domain', 'google.com')).toEqual(expect.arrayContaining(['google', 'tranco10k']));
    expect(shipped.match('sha256', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855')).toEqual(['empty-hashes']);
    expect(shipped.match('ipv4', '185.220.101.7')).toEqual([]);
    expect(shipped.match('domain', 'evil-c2-host.top')).toEqual([]);
  });
});

describe('trust policy', () => {
  const config = parseTrustConfig({ TRUST_NEW_ACCOUNT_HOURS: '24' });
  const base = { trustLevel: 'normal' as const, createdAt: new Date(0), plan: 'free', retractedReports: 0, isSystem: false };
  const now = 10 * 86_400_000;
  it('established: trusted always, untrusted never, normal by age, plan and retractions', () => {
    expect(isEstablished(base, config, now)).toBe(true);
    expect(isEstablished({ ...base, createdAt: new Date(now - 3_600_000) }, config, now)).toBe(false);
    expect(isEstablished({ ...base, createdAt: new Date(now - 3_600_000), plan: 'firehose' }, config, now)).toBe(true);
    expect(isEstablished({ ...base, createdAt: new Date(now - 3_600_000), trustLevel: 'trusted' }, config, now)).toBe(true);
    expect(isEstablished({ ...base, trustLevel: 'untrusted' }, config, now)).toBe(false);
    expect(isEstablished({ ...base, retractedReports: 3 }, config, now)).toBe(false);
    expect(isEstablished({ ...base, createdAt: new Date(now) }, parseTrustConfig({}), now)).toBe(true);
  });
  it('confidence grows with distinct reporters and falls with open disputes', () => {
    expect(eventConfidence(50, 1)).toBe(50);
    expect(eventConfidence(50, 3)).toBe(88);
    expect(eventConfidence(80, 1)).toBe(80);
    expect(eventConfidence(50, 1, 1)).toBe(35);
    expect(eventConfidence(10, 1, 5)).toBe(0);
  });
});
