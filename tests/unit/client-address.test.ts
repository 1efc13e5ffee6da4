// The client address behind proxies: the rightmost untrusted hop, never what the client wrote.
import { describe, expect, it } from 'vitest';
import {
  addressLimitKey,
  clientAddress,
  normaliseAddress,
  parseProxyTrust,
  recordedClientAddress,
} from '@/lib/client-address';

describe('clientAddress', () => {
  it('without a trusted proxy ignores X-Forwarded-For entirely (a spoofed header changes nothing)', () => {
    for (const trust of [false, 0, parseProxyTrust('false'), parseProxyTrust(undefined)]) {
      expect(clientAddress({ remoteAddress: '203.0.113.7', forwardedFor: '1.2.3.4', trust })).toBe('203.0.113.7');
      expect(clientAddress({ remoteAddress: '203.0.113.7', forwardedFor: ['1.2.3.4', '5.6.7.8'], trust })).toBe('203.0.113.7');
    }
  });

  it('with one trusted proxy takes the entry the proxy appended, not the one the client sent', () => {
    // The client sent "X-Forwarded-For: 1.2.3.4"; the proxy appended the address it saw.
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '1.2.3.4, 198.51.100.9', trust: true })).toBe(
      '198.51.100.9',
    );
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '198.51.100.9', trust: true })).toBe('198.51.100.9');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '198.51.100.9', trust: parseProxyTrust('1') })).toBe(
      '198.51.100.9',
    );
  });

  it('joins repeated X-Forwarded-For headers in order before walking them', () => {
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: ['6.6.6.6', '7.7.7.7, 198.51.100.9'], trust: 1 })).toBe(
      '198.51.100.9',
    );
  });

  it('with a hop count skips exactly that many proxies', () => {
    const chain = '6.6.6.6, 198.51.100.9, 10.0.0.5';
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: chain, trust: 2 })).toBe('198.51.100.9');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: chain, trust: parseProxyTrust('2') })).toBe('198.51.100.9');
    // A chain shorter than the hop count: the leftmost entry, which a trusted proxy wrote.
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '198.51.100.9', trust: 3 })).toBe('198.51.100.9');
  });

  it('with trusted networks skips every trusted hop from the right and stops at the first untrusted one', () => {
    const trust = parseProxyTrust('10.0.0.0/8, 2001:db8::/32');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '6.6.6.6, 198.51.100.9, 10.1.2.3', trust })).toBe(
      '198.51.100.9',
    );
    // A spoofed private address to the left of the real client does not help: the walk stops at the client.
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '10.9.9.9, 198.51.100.9', trust })).toBe('198.51.100.9');
    // The socket's peer is not a trusted proxy: the header is not believed at all.
    expect(clientAddress({ remoteAddress: '198.51.100.9', forwardedFor: '1.2.3.4', trust })).toBe('198.51.100.9');
    expect(clientAddress({ remoteAddress: '2001:db8::1', forwardedFor: '2001:DB8:0::7, 2a00:1450::5', trust })).toBe(
      '2a00:1450::5',
    );
  });

  it('normalises IPv4-mapped IPv6, also when matching trusted networks', () => {
    expect(clientAddress({ remoteAddress: '::ffff:203.0.113.7', trust: false })).toBe('203.0.113.7');
    expect(clientAddress({ remoteAddress: '::ffff:127.0.0.1', forwardedFor: '1.2.3.4', trust: false })).toBe('127.0.0.1');
    const trust = parseProxyTrust('loopback');
    expect(clientAddress({ remoteAddress: '::ffff:127.0.0.1', forwardedFor: '::ffff:198.51.100.9', trust })).toBe('198.51.100.9');
  });

  it('never returns a string the client chose when the hop to take is not an address', () => {
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: 'evil', trust: true })).toBe('10.0.0.2');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '198.51.100.9, unknown', trust: 2 })).toBe('10.0.0.2');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '0x7f.1', trust: true })).toBe('10.0.0.2');
    expect(clientAddress({ remoteAddress: undefined, forwardedFor: '1.2.3.4', trust: true })).toBeNull();
  });

  it('accepts ports in X-Forwarded-For entries (some proxies add them)', () => {
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '198.51.100.9:51234', trust: true })).toBe('198.51.100.9');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: '[2a00:1450::5]:443', trust: true })).toBe('2a00:1450::5');
  });

  it('stays cheap on a huge header', () => {
    const huge = Array.from({ length: 200_000 }, (_, i) => `1.2.${i % 250}.${i % 200}`).join(',');
    expect(clientAddress({ remoteAddress: '10.0.0.2', forwardedFor: `${huge}, 198.51.100.9`, trust: true })).toBe('198.51.100.9');
  });
});

describe('parseProxyTrust', () => {
  it('reads booleans, hop counts and network lists', () => {
    expect(parseProxyTrust('true')).toEqual({ hops: 1, networks: [] });
    expect(parseProxyTrust('yes').hops).toBe(1);
    expect(parseProxyTrust('0')).toEqual({ hops: 0, networks: [] });
    expect(parseProxyTrust('3').hops).toBe(3);
    expect(parseProxyTrust('private, 192.0.2.1').networks).toHaveLength(5);
  });

  it('rejects what it cannot read with a message naming it', () => {
    expect(() => parseProxyTrust('proxy.example.com')).toThrow(/proxy\.example\.com/);
    expect(() => parseProxyTrust('10.0.0.0/99')).toThrow(/10\.0\.0\.0\/99/);
    expect(() => parseProxyTrust('1000')).toThrow(/hop count/);
  });
});

describe('recordedClientAddress', () => {
  it('reads the single address server/http.ts recorded, and the rightmost entry of a list', () => {
    expect(recordedClientAddress('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(recordedClientAddress('1.2.3.4, 203.0.113.7')).toBe('203.0.113.7');
    expect(recordedClientAddress(['1.2.3.4', '203.0.113.7'])).toBe('203.0.113.7');
    expect(recordedClientAddress(undefined)).toBeNull();
    expect(recordedClientAddress('junk')).toBeNull();
  });
});

describe('normaliseAddress and addressLimitKey', () => {
  it('canonicalises addresses', () => {
    expect(normaliseAddress('2001:DB8:0:0::1')).toBe('2001:db8::1');
    expect(normaliseAddress('fe80::1%eth0')).toBe('fe80::1');
    expect(normaliseAddress(' 203.0.113.7 ')).toBe('203.0.113.7');
    expect(normaliseAddress('')).toBeNull();
  });

  it('keys IPv6 by its /64 so one subscriber cannot rotate through addresses', () => {
    expect(addressLimitKey('2001:db8:1:2:aaaa::1')).toBe(addressLimitKey('2001:db8:1:2:bbbb::9'));
    expect(addressLimitKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(addressLimitKey('2001:db8:1:3::1')).not.toBe(addressLimitKey('2001:db8:1:2::1'));
    expect(addressLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(addressLimitKey(null)).toBe('unknown');
  });
});
