// Parsing and matching of a token's allowed networks and expiry (lib/token-limits.ts).
import { describe, expect, it } from 'vitest';
import { addressAllowed, expiryFromChoice, parseAllowedNetworks, parseDuration, parseExpiry } from '@/lib/token-limits';

describe('parseAllowedNetworks', () => {
  it('canonicalises networks, addresses and IPv4-mapped IPv6, and drops duplicates', () => {
    expect(parseAllowedNetworks('10.1.2.3/8, 2001:DB8:0:0::1/32 192.0.2.7,::ffff:127.0.0.0/104, 10.0.0.0/8')).toEqual([
      '10.0.0.0/8',
      '2001:db8::/32',
      '192.0.2.7/32',
      '127.0.0.0/8',
    ]);
    expect(parseAllowedNetworks(['::1'])).toEqual(['::1/128']);
    expect(parseAllowedNetworks('')).toEqual([]);
    expect(parseAllowedNetworks(null)).toEqual([]);
  });

  it.each(['10.0.0.0/33', '2001:db8::/129', 'nope', '10.0.0/8', '0x7f.1', '10.0.0.0/', '::ffff:1.2.3.4/64', '1.2.3.4/8x'])('refuses %s with a 400 naming it', (bad) => {
    expect(() => parseAllowedNetworks(`192.168.0.0/16,${bad}`)).toThrow(expect.objectContaining({ code: 'invalid_networks', status: 400, message: expect.stringContaining(`"${bad}"`) }));
  });

  it('refuses more than 20 networks', () => {
    const list = Array.from({ length: 21 }, (_, i) => `10.${i}.0.0/16`);
    expect(parseAllowedNetworks(list.slice(0, 20))).toHaveLength(20);
    expect(() => parseAllowedNetworks(list)).toThrow(expect.objectContaining({ code: 'invalid_networks', message: expect.stringContaining('at most 20') }));
  });
});

describe('addressAllowed', () => {
  it('matches IPv4, IPv6 and IPv4-mapped IPv6 addresses; an unknown address is outside', () => {
    const networks = parseAllowedNetworks('127.0.0.0/8, 2001:db8::/32');
    expect(addressAllowed('127.0.0.1', networks)).toBe(true);
    expect(addressAllowed('::ffff:127.0.0.1', networks)).toBe(true);
    expect(addressAllowed('2001:db8:1::5', networks)).toBe(true);
    expect(addressAllowed('10.0.0.1', networks)).toBe(false);
    expect(addressAllowed('::1', networks)).toBe(false);
    expect(addressAllowed(null, networks)).toBe(false);
    expect(addressAllowed('garbage', networks)).toBe(false);
    expect(addressAllowed(null, [])).toBe(true);
  });
});

describe('expiry', () => {
  const now = new Date('2026-11-30T10:00:00Z');
  it('parses durations and dashboard choices', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('45s')).toBe(45_000);
    expect(() => parseDuration('30 days')).toThrow(expect.objectContaining({ code: 'invalid_expiry' }));
    expect(() => parseDuration('0d')).toThrow(expect.objectContaining({ code: 'invalid_expiry' }));
    expect(expiryFromChoice('', now)).toBeNull();
    expect(expiryFromChoice('90', now)?.toISOString()).toBe('2027-02-28T10:00:00.000Z');
    expect(expiryFromChoice('2026-12-24', now)?.toISOString()).toBe('2026-12-25T00:00:00.000Z');
    expect(() => expiryFromChoice('2026-02-30', now)).toThrow(expect.objectContaining({ code: 'invalid_expiry' }));
    expect(() => expiryFromChoice('2026-11-01', now)).toThrow(expect.objectContaining({ code: 'invalid_expiry', message: expect.stringContaining('future') }));
    expect(() => expiryFromChoice('7', now)).toThrow(expect.objectContaining({ code: 'invalid_expiry' }));
    expect(() => parseExpiry('not a date', now)).toThrow(expect.objectContaining({ code: 'invalid_expiry', status: 400 }));
  });
});
