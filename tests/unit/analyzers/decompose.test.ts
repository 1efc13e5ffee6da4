// Pure parts of the analyzers: a URL's host, an email's domain, an address's /24 or /48.
import { describe, expect, it } from 'vitest';
import { decompose, networkOf } from '@/lib/analyzers';

describe('decompose', () => {
  it('takes the host of a URL and the domain of an email address', () => {
    expect(decompose({ type: 'url', value: 'http://evil-cdn.xyz/a/b?c=d' })).toEqual({ type: 'domain', value: 'evil-cdn.xyz', relation: 'host' });
    expect(decompose({ type: 'url', value: 'http://45.9.1.2:8080/x' })).toEqual({ type: 'ipv4', value: '45.9.1.2', relation: 'host' });
    expect(decompose({ type: 'url', value: 'http://[2a00:1450::1]/x' })).toMatchObject({ type: 'ipv6', relation: 'host' });
    expect(decompose({ type: 'email', value: 'bob@phish-mail.top' })).toEqual({ type: 'domain', value: 'phish-mail.top', relation: 'domain' });
    expect(decompose({ type: 'domain', value: 'evil-cdn.xyz' })).toBeNull();
    expect(decompose({ type: 'sha256', value: 'a'.repeat(64) })).toBeNull();
  });
});

describe('networkOf', () => {
  it('gives the /24 of an IPv4 address and the /48 of an IPv6 address', () => {
    expect(networkOf({ type: 'ipv4', value: '91.215.40.77' })).toBe('91.215.40.0/24');
    expect(networkOf({ type: 'ipv6', value: '2a00:1450:4001:81c::200e' })).toBe('2a00:1450:4001::/48');
    expect(networkOf({ type: 'domain', value: 'x.xyz' })).toBeNull();
  });
});
