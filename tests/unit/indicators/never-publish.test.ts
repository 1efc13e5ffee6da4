import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import {
  checkNeverPublish,
  compileAllowList,
  parseIndicator,
  type IndicatorType,
  type NeverPublishResult,
} from '../../../lib/indicators';

const NONE = { domains: [], networks: [] };
type Case = [type: IndicatorType, value: string, reason: string | null];

function expected(reason: string | null): NeverPublishResult {
  return reason === null ? { blocked: false } : { blocked: true, reason };
}

describe('checkNeverPublish: built-in ranges and names', () => {
  const cases: Case[] = [
    // public
    ['ipv4', '1.2.3.4', null],
    ['ipv4', '8.8.8.8', null],
    ['ipv4', '79.134.225.7', null],
    ['ipv4', '172.32.0.1', null],
    ['ipv4', '100.128.0.1', null],
    ['ipv4', '192.0.3.1', null],
    ['ipv4', '223.255.255.255', null],
    // IPv4 special-purpose
    ['ipv4', '0.0.0.0', 'unspecified address range (0.0.0.0/8)'],
    ['ipv4', '0.1.2.3', 'unspecified address range (0.0.0.0/8)'],
    ['ipv4', '10.1.2.3', 'private address range (10.0.0.0/8)'],
    ['ipv4', '100.64.0.1', 'carrier-grade NAT range (100.64.0.0/10)'],
    ['ipv4', '100.127.255.255', 'carrier-grade NAT range (100.64.0.0/10)'],
    ['ipv4', '127.0.0.1', 'loopback address range (127.0.0.0/8)'],
    ['ipv4', '169.254.169.254', 'link-local address range (169.254.0.0/16)'],
    ['ipv4', '172.16.0.1', 'private address range (172.16.0.0/12)'],
    ['ipv4', '172.31.255.255', 'private address range (172.16.0.0/12)'],
    ['ipv4', '192.0.0.8', 'IETF protocol assignment range (192.0.0.0/24)'],
    ['ipv4', '192.0.2.1', 'documentation range (192.0.2.0/24)'],
    ['ipv4', '192.88.99.1', 'deprecated 6to4 relay anycast range (192.88.99.0/24)'],
    ['ipv4', '192.168.1.1', 'private address range (192.168.0.0/16)'],
    ['ipv4', '198.18.0.1', 'benchmarking range (198.18.0.0/15)'],
    ['ipv4', '198.19.255.255', 'benchmarking range (198.18.0.0/15)'],
    ['ipv4', '198.51.100.7', 'documentation range (198.51.100.0/24)'],
    ['ipv4', '203.0.113.9', 'documentation range (203.0.113.0/24)'],
    ['ipv4', '224.0.0.251', 'multicast address range (224.0.0.0/4)'],
    ['ipv4', '239.255.255.250', 'multicast address range (224.0.0.0/4)'],
    ['ipv4', '240.0.0.1', 'reserved address range (240.0.0.0/4)'],
    ['ipv4', '255.255.255.255', 'broadcast address (255.255.255.255/32)'],
    // IPv6
    ['ipv6', '2a01:7e01::f03c:91ff:feac:f30f', null],
    ['ipv6', '2606:4700:4700::1111', null],
    ['ipv6', '::', 'unspecified address (::/128)'],
    ['ipv6', '::1', 'loopback address (::1/128)'],
    ['ipv6', 'fe80::2c33:349f:8bec:ffa9', 'link-local address range (fe80::/10)'],
    ['ipv6', 'fd00::1', 'unique-local address range (fc00::/7)'],
    ['ipv6', 'fc00::1', 'unique-local address range (fc00::/7)'],
    ['ipv6', 'fec0::1', 'deprecated site-local range (fec0::/10)'],
    ['ipv6', 'ff02::1', 'multicast address range (ff00::/8)'],
    ['ipv6', '2001:db8::1', 'documentation range (2001:db8::/32)'],
    ['ipv6', '3fff::1', 'documentation range (3fff::/20)'],
    ['ipv6', '2001:2::1', 'benchmarking range (2001:2::/48)'],
    ['ipv6', '2001:10::1', 'deprecated ORCHID range (2001:10::/28)'],
    ['ipv6', '100::1', 'discard-only range (100::/64)'],
    ['ipv6', '5f00::1', 'segment routing range (5f00::/16)'],
    ['ipv6', '64:ff9b:1::1', 'local-use NAT64 range (64:ff9b:1::/48)'],
    ['ipv6', '::102:304', 'reserved address range (outside 2000::/3)'],
    ['ipv6', '4000::1', 'reserved address range (outside 2000::/3)'],
    // IPv6 forms embedding an IPv4 address are judged by that address
    ['ipv6', '::ffff:102:304', null],
    ['ipv6', '::ffff:a00:1', 'IPv4-mapped private address range (10.0.0.0/8)'],
    ['ipv6', '::ffff:7f00:1', 'IPv4-mapped loopback address range (127.0.0.0/8)'],
    ['ipv6', '64:ff9b::808:808', null],
    ['ipv6', '64:ff9b::c0a8:101', 'NAT64 private address range (192.168.0.0/16)'],
    ['ipv6', '2002:808:808::1', null],
    ['ipv6', '2002:a00:1::1', '6to4 private address range (10.0.0.0/8)'],
    // CIDRs: blocked when they overlap a non-public range
    ['cidr', '198.54.112.0/20', null],
    ['cidr', '8.0.0.0/8', null],
    ['cidr', '10.0.0.0/8', 'private address range (10.0.0.0/8)'],
    ['cidr', '10.1.0.0/16', 'private address range (10.0.0.0/8)'],
    ['cidr', '172.0.0.0/8', 'private address range (172.16.0.0/12)'],
    ['cidr', '192.0.0.0/16', 'IETF protocol assignment range (192.0.0.0/24)'],
    ['cidr', '192.168.0.0/15', 'private address range (192.168.0.0/16)'],
    ['cidr', '0.0.0.0/0', 'unspecified address range (0.0.0.0/8)'],
    ['cidr', '255.255.255.254/31', 'reserved address range (240.0.0.0/4)'],
    ['cidr', '::ffff:0:0/96', 'IPv4-mapped range (::ffff:0:0/96)'],
    ['cidr', '2a01:7e01::/32', null],
    ['cidr', '2001:db8:1::/48', 'documentation range (2001:db8::/32)'],
    ['cidr', 'fc00::/7', 'unique-local address range (fc00::/7)'],
    ['cidr', '::ffff:808:800/120', null],
    ['cidr', '::ffff:a00:0/104', 'IPv4-mapped private address range (10.0.0.0/8)'],
    ['cidr', '::/64', 'IPv4-mapped range (::ffff:0:0/96)'],
    ['cidr', '2002::/16', '6to4 range (2002::/16)'],
    ['cidr', '2002:a00::/24', '6to4 private address range (10.0.0.0/8)'],
    ['cidr', '2002:800::/24', null],
    // Domains
    ['domain', 'evil.com', null],
    ['domain', 'evil.onion', null],
    ['domain', 'myexample.com', null],
    ['domain', 'example.community', null],
    ['domain', 'localhost', 'special-use domain (.localhost)'],
    ['domain', 'foo.localhost', 'special-use domain (.localhost)'],
    ['domain', 'printer.local', 'special-use domain (.local)'],
    ['domain', 'db.corp.internal', 'special-use domain (.internal)'],
    ['domain', 'foo.test', 'special-use domain (.test)'],
    ['domain', 'foo.example', 'special-use domain (.example)'],
    ['domain', 'foo.invalid', 'special-use domain (.invalid)'],
    ['domain', 'router.home.arpa', 'infrastructure domain (.arpa)'],
    ['domain', '4.3.2.1.in-addr.arpa', 'infrastructure domain (.arpa)'],
    ['domain', 'example.com', 'documentation domain (example.com)'],
    ['domain', 'www.example.org', 'documentation domain (example.org)'],
    ['domain', 'a.b.example.net', 'documentation domain (example.net)'],
    ['domain', 'EXAMPLE.COM.', 'documentation domain (example.com)'],
    // URLs and emails are judged by their host
    ['url', 'http://evil.com/gate.php', null],
    ['url', 'http://192.168.1.1/admin', 'private address range (192.168.0.0/16)'],
    ['url', 'http://127.0.0.1:8080/', 'loopback address range (127.0.0.0/8)'],
    ['url', 'http://[fd12::1]/', 'unique-local address range (fc00::/7)'],
    ['url', 'http://[::ffff:a00:1]/', 'IPv4-mapped private address range (10.0.0.0/8)'],
    ['url', 'https://www.example.com/x', 'documentation domain (example.com)'],
    ['url', 'http://example.com@evil.com/', null],
    ['email', 'bob@evil.com', null],
    ['email', 'bob@example.org', 'documentation domain (example.org)'],
    ['email', 'root@mail.internal', 'special-use domain (.internal)'],
    // Hashes of empty input
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'hash of empty input'],
    ['sha1', 'da39a3ee5e6b4b0d3255bfef95601890afd80709', 'hash of empty input'],
    ['sha256', 'E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855', 'hash of empty input'],
    [
      'sha512',
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e',
      'hash of empty input',
    ],
    ['md5', '5d41402abc4b2a76b9719d911017c592', null],
  ];

  it.each(cases)('%s %s', (type, value, reason) => {
    expect(checkNeverPublish({ type, value }, NONE)).toEqual(expected(reason));
  });
});

describe('checkNeverPublish: allow-list', () => {
  const allow = {
    domains: ['google.com', 'GITHUB.com.', '*.microsoft.com', 'b\u00fccher.de', 'not a domain', ''],
    networks: ['8.8.8.0/24', '1.1.1.1', '2001:4860::/32', 'garbage', '1.2.3.4/99', '010.0.0.0/8'],
  };
  const cases: Case[] = [
    ['domain', 'google.com', 'allow-listed domain (google.com)'],
    ['domain', 'mail.google.com', 'allow-listed domain (google.com)'],
    ['domain', 'a.b.c.google.com', 'allow-listed domain (google.com)'],
    ['domain', 'notgoogle.com', null],
    ['domain', 'google.com.evil.ru', null],
    ['domain', 'google.co', null],
    ['domain', 'github.com', 'allow-listed domain (github.com)'],
    ['domain', 'login.microsoft.com', 'allow-listed domain (microsoft.com)'],
    ['domain', 'xn--bcher-kva.de', 'allow-listed domain (xn--bcher-kva.de)'],
    ['url', 'https://docs.google.com/document/d/x', 'allow-listed domain (google.com)'],
    ['url', 'http://evil.com/?q=google.com', null],
    ['email', 'someone@google.com', 'allow-listed domain (google.com)'],
    ['ipv4', '8.8.8.8', 'allow-listed network (8.8.8.0/24)'],
    ['ipv4', '8.8.4.4', null],
    ['ipv4', '1.1.1.1', 'allow-listed network (1.1.1.1)'],
    ['ipv4', '1.1.1.2', null],
    ['ipv6', '::ffff:808:808', 'allow-listed network (8.8.8.0/24)'],
    ['ipv6', '2001:4860:4860::8888', 'allow-listed network (2001:4860::/32)'],
    ['cidr', '8.8.0.0/16', 'allow-listed network (8.8.8.0/24)'],
    ['cidr', '8.8.8.128/25', 'allow-listed network (8.8.8.0/24)'],
    ['cidr', '9.0.0.0/8', null],
    ['url', 'http://8.8.8.8/', 'allow-listed network (8.8.8.0/24)'],
    ['url', 'http://[2001:4860::1]:443/', 'allow-listed network (2001:4860::/32)'],
    // Built-in reasons win over the allow-list
    ['domain', 'example.com', 'documentation domain (example.com)'],
    // Invalid allow-list entries are ignored (010.0.0.0/8 is ambiguous, not 10/8)
    ['ipv4', '10.0.0.1', 'private address range (10.0.0.0/8)'],
    ['ipv4', '8.0.0.1', null],
  ];

  it.each(cases)('%s %s', (type, value, reason) => {
    expect(checkNeverPublish({ type, value }, allow)).toEqual(expected(reason));
  });

  it('gives the same answers with a pre-compiled allow-list', () => {
    const compiled = compileAllowList(allow);
    for (const [type, value, reason] of cases) {
      expect(checkNeverPublish({ type, value }, compiled)).toEqual(expected(reason));
    }
  });
});

describe('checkNeverPublish: fails closed', () => {
  it('blocks values it cannot understand', () => {
    const bad: { type: IndicatorType; value: string }[] = [
      { type: 'ipv4', value: 'evil.com' },
      { type: 'ipv6', value: '1.2.3.4' },
      { type: 'cidr', value: '1.2.3.4/99' },
      { type: 'url', value: 'not a url' },
      { type: 'url', value: 'javascript:alert(1)' },
      { type: 'email', value: 'nobody' },
      { type: 'domain', value: '<script>' },
    ];
    for (const p of bad) expect(checkNeverPublish(p, NONE)).toEqual({ blocked: true, reason: 'unparseable indicator' });
    expect(checkNeverPublish({ type: 'asn' as IndicatorType, value: 'AS1' }, NONE)).toEqual({
      blocked: true,
      reason: 'unknown indicator type',
    });
    expect(checkNeverPublish({ type: 'domain', value: null as unknown as string }, NONE)).toEqual({
      blocked: true,
      reason: 'unparseable indicator',
    });
  });

  it('canonicalises non-canonical values before checking', () => {
    expect(checkNeverPublish({ type: 'domain', value: 'Printer.LOCAL.' }, NONE)).toEqual({
      blocked: true,
      reason: 'special-use domain (.local)',
    });
    expect(checkNeverPublish({ type: 'url', value: 'hxxp://10[.]0[.]0[.]1/x' }, NONE)).toEqual({
      blocked: true,
      reason: 'private address range (10.0.0.0/8)',
    });
    expect(checkNeverPublish({ type: 'email', value: 'A@Example.COM' }, NONE)).toEqual({
      blocked: true,
      reason: 'documentation domain (example.com)',
    });
    expect(checkNeverPublish({ type: 'ipv6', value: '[::1]:22' }, NONE)).toEqual({
      blocked: true,
      reason: 'loopback address (::1/128)',
    });
  });
});

// ipaddr.js range names that denote addresses nobody should publish; the
// remaining non-"unicast" names (as112, amt, teredo, ...) are publicly routed.
const IPADDR_V4_NON_PUBLIC = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'carrierGradeNat', 'private', 'reserved']);

describe('checkNeverPublish: agrees with ipaddr.js range() for IPv4', () => {
  it('on 50k pseudo-random addresses biased towards special ranges', () => {
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    const firsts = [0, 10, 100, 127, 169, 172, 192, 198, 203, 224, 239, 240, 255, 8, 1, 45, 185];
    for (let i = 0; i < 50_000; i++) {
      const a = i % 2 === 0 ? (firsts[rnd(firsts.length)] ?? 0) : rnd(256);
      const second = a === 192 ? [0, 88, 168, 1][rnd(4)] ?? 0 : a === 198 ? [18, 19, 51, 20][rnd(4)] ?? 0 : rnd(256);
      const third = a === 192 && second === 0 ? [0, 2, 3][rnd(3)] ?? 0 : a === 198 && second === 51 ? 100 : rnd(256);
      const addr = `${a}.${second}.${third}.${rnd(256)}`;
      const parsed = parseIndicator(addr);
      if (!parsed.ok) throw new Error(`unexpected reject ${addr}`);
      const range = ipaddr.IPv4.parse(addr).range();
      const ours = checkNeverPublish(parsed, NONE).blocked;
      if (ours !== IPADDR_V4_NON_PUBLIC.has(range)) throw new Error(`${addr}: ipaddr says ${range}, we say blocked=${ours}`);
    }
  });
});
