import { describe, expect, it } from 'vitest';
import { defang, INDICATOR_TYPES, parseIndicator, PARSE_ERROR_CODES, type IndicatorType, type ParseResult } from '../../../lib/indicators';

type OkCase = [input: string, type: IndicatorType, value: string, port?: number];
type ErrCase = [input: string, code: string, reason?: string];

function ok(type: IndicatorType, value: string, port?: number): ParseResult {
  return port === undefined ? { ok: true, type, value } : { ok: true, type, value, port };
}

describe('parseIndicator: inference of valid indicators', () => {
  const cases: OkCase[] = [
    // hashes
    ['D41D8CD98F00B204E9800998ECF8427F', 'md5', 'd41d8cd98f00b204e9800998ecf8427f'],
    ['a9993e364706816aba3e25717850c26c9cd0d89d', 'sha1', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    [
      'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD',
      'sha256',
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    ],
    ['a'.repeat(128), 'sha512', 'a'.repeat(128)],
    ['  d41d8cd98f00b204e9800998ecf8427f\n', 'md5', 'd41d8cd98f00b204e9800998ecf8427f'],
    // ipv4
    ['1.2.3.4', 'ipv4', '1.2.3.4'],
    ['0.0.0.0', 'ipv4', '0.0.0.0'],
    ['255.255.255.255', 'ipv4', '255.255.255.255'],
    ['79.134.225.7:1997', 'ipv4', '79.134.225.7', 1997],
    ['1.2.3.4:1', 'ipv4', '1.2.3.4', 1],
    ['1.2.3.4:65535', 'ipv4', '1.2.3.4', 65535],
    ['1[.]2[.]3[.]4', 'ipv4', '1.2.3.4'],
    ['1(.)2{.}3[dot]4[:]8080', 'ipv4', '1.2.3.4', 8080],
    // ipv6
    ['2001:DB8:0:0:0:0:0:1', 'ipv6', '2001:db8::1'],
    ['2001:0db8:0000:0000:0001:0000:0000:0001', 'ipv6', '2001:db8::1:0:0:1'],
    ['1:0:0:1:0:0:0:1', 'ipv6', '1:0:0:1::1'],
    ['2a01:7e01:0:0:f03c:91ff:feac:f30f', 'ipv6', '2a01:7e01::f03c:91ff:feac:f30f'],
    ['::', 'ipv6', '::'],
    ['::1', 'ipv6', '::1'],
    ['1::', 'ipv6', '1::'],
    ['1:2:3:4:5:6:7:8', 'ipv6', '1:2:3:4:5:6:7:8'],
    ['1:2:3:4:5:6:7::', 'ipv6', '1:2:3:4:5:6:7:0'],
    ['::ffff:1.2.3.4', 'ipv6', '::ffff:102:304'],
    ['::1.2.3.4', 'ipv6', '::102:304'],
    ['64:ff9b::192.0.2.33', 'ipv6', '64:ff9b::c000:221'],
    ['[2001:db8::1]', 'ipv6', '2001:db8::1'],
    ['[2a01:7e01::f03c:91ff:feac:f30f]:8080', 'ipv6', '2a01:7e01::f03c:91ff:feac:f30f', 8080],
    ['[fe80::2c33:349f:8bec:ffa9]:49172', 'ipv6', 'fe80::2c33:349f:8bec:ffa9', 49172],
    // cidr
    ['1.2.3.0/24', 'cidr', '1.2.3.0/24'],
    ['1.2.3.4/24', 'cidr', '1.2.3.0/24'],
    ['198.54.112.0/20', 'cidr', '198.54.112.0/20'],
    ['198.54.127.255/20', 'cidr', '198.54.112.0/20'],
    ['10.200.3.4/8', 'cidr', '10.0.0.0/8'],
    ['1.2.3.4/31', 'cidr', '1.2.3.4/31'],
    ['1.2.3.5/31', 'cidr', '1.2.3.4/31'],
    ['1.2.3.4/32', 'ipv4', '1.2.3.4'],
    ['2001:DB8:1234::1/48', 'cidr', '2001:db8:1234::/48'],
    ['2001:db8:ffff:ffff::/33', 'cidr', '2001:db8:8000::/33'],
    ['2001:db8::1/32', 'cidr', '2001:db8::/32'],
    ['2001:db8::1/127', 'cidr', '2001:db8::/127'],
    ['2001:db8::1/128', 'ipv6', '2001:db8::1'],
    // domains
    ['evil.com', 'domain', 'evil.com'],
    ['EVIL.Com', 'domain', 'evil.com'],
    ['evil.com.', 'domain', 'evil.com'],
    ['evil[.]com', 'domain', 'evil.com'],
    ['evil(dot)com', 'domain', 'evil.com'],
    ['evil.com:8080', 'domain', 'evil.com', 8080],
    ['sub.evil.co.uk', 'domain', 'sub.evil.co.uk'],
    ['properties_76.dzhafarho.ru', 'domain', 'properties_76.dzhafarho.ru'],
    ['1.2.3.4.evil.com', 'domain', '1.2.3.4.evil.com'],
    ['duckdns.org', 'domain', 'duckdns.org'],
    ['awele.duckdns.org', 'domain', 'awele.duckdns.org'],
    ['debugiwjef8w9euf892jfis893u409wi09eif90w3.onion', 'domain', 'debugiwjef8w9euf892jfis893u409wi09eif90w3.onion'],
    ['gnnbrewrdnaw.bazar', 'domain', 'gnnbrewrdnaw.bazar'],
    ['evil.bit', 'domain', 'evil.bit'],
    ['evil.i2p', 'domain', 'evil.i2p'],
    // IDN: homoglyph (Cyrillic "а") and others end up as punycode
    ['\u0430pple.com', 'domain', 'xn--pple-43d.com'],
    ['xn--pple-43d.com', 'domain', 'xn--pple-43d.com'],
    ['b\u00fccher.de', 'domain', 'xn--bcher-kva.de'],
    ['stra\u00dfe.de', 'domain', 'xn--strae-oqa.de'],
    ['\u0433\u0443\u0441\u0430\u0440.online', 'domain', 'xn--80af4bcj.online'],
    ['\uff45\uff56\uff49\uff4c.com', 'domain', 'evil.com'], // full-width letters
    ['evil\u3002com', 'domain', 'evil.com'], // ideographic full stop
    ['a'.repeat(63) + '.com', 'domain', 'a'.repeat(63) + '.com'],
    // urls
    ['http://1.2.3.4', 'url', 'http://1.2.3.4/'],
    ['https://91.92.243.55', 'url', 'https://91.92.243.55/'],
    ['evil.com/path', 'url', 'http://evil.com/path'],
    ['evil.com/', 'url', 'http://evil.com/'],
    ['evil.com?x=1', 'url', 'http://evil.com/?x=1'],
    ['evil.com/a?b=c#frag', 'url', 'http://evil.com/a?b=c'],
    ['HTTP://EVIL.COM:80/A.php', 'url', 'http://evil.com/A.php'],
    ['hxxp://evil[.]com/a', 'url', 'http://evil.com/a'],
    ['hXXps[://]evil[.]com/gate.php', 'url', 'https://evil.com/gate.php'],
    ['fxp://files[.]evil[.]com/x', 'url', 'ftp://files.evil.com/x'],
    ['ftp://ftp.fasttradeco.com', 'url', 'ftp://ftp.fasttradeco.com/'],
    ['ws://evil.com/socket', 'url', 'ws://evil.com/socket'],
    ['wss://evil.com:8443/socket', 'url', 'wss://evil.com:8443/socket'],
    ['//evil.com/x', 'url', 'http://evil.com/x'],
    ['1.2.3.4/x.exe', 'url', 'http://1.2.3.4/x.exe'],
    ['1.2.3.4/', 'url', 'http://1.2.3.4/'],
    ['111.68.126.155:8080/ServiceDeskPlus/products.do', 'url', 'http://111.68.126.155:8080/ServiceDeskPlus/products.do'],
    ['newidealupvc.com:443/img/x.php', 'url', 'http://newidealupvc.com:443/img/x.php'],
    ['https://evil.com:443/', 'url', 'https://evil.com/'],
    ['http://[2001:DB8::1]:8080/x', 'url', 'http://[2001:db8::1]:8080/x'],
    ['http://user:pw@evil.com/', 'url', 'http://user:pw@evil.com/'],
    ['http://google.com@evil.com/', 'url', 'http://google.com@evil.com/'],
    ['http://evil.com\\@good.com/', 'url', 'http://evil.com/@good.com/'],
    ['http://evil.com/<script>alert(1)</script>', 'url', 'http://evil.com/%3Cscript%3Ealert(1)%3C/script%3E'],
    ['http://evil.com/"onmouseover="x', 'url', 'http://evil.com/%22onmouseover=%22x'],
    ['http://\u0430pple.com/login', 'url', 'http://xn--pple-43d.com/login'],
    ['http://evil.com/\u043f\u0443\u0442\u044c', 'url', 'http://evil.com/%D0%BF%D1%83%D1%82%D1%8C'],
    ['namsouth.com/access/Access%20Denied.php', 'url', 'http://namsouth.com/access/Access%20Denied.php'],
    ['eznetb.synology.me/@eaDir/wg2BqaWFRZb1G/', 'url', 'http://eznetb.synology.me/@eaDir/wg2BqaWFRZb1G/'],
    ['http://evil.com./x', 'url', 'http://evil.com/x'],
    // emails
    ['Foo.Bar@Evil.COM', 'email', 'foo.bar@evil.com'],
    ['foo+tag@evil.com', 'email', 'foo+tag@evil.com'],
    ['foo[@]evil[.]com', 'email', 'foo@evil.com'],
    ['foo[at]evil[dot]com', 'email', 'foo@evil.com'],
    ['mailto:foo@evil.com', 'email', 'foo@evil.com'],
    ['foo@\u0430pple.com', 'email', 'foo@xn--pple-43d.com'],
  ];

  it.each(cases)('%s -> %s %s', (input, type, value, port) => {
    expect(parseIndicator(input)).toEqual(ok(type, value, port));
  });
});

describe('parseIndicator: rejections', () => {
  const cases: ErrCase[] = [
    ['', 'empty', 'empty input'],
    ['   \t\n ', 'empty', 'empty input'],
    ['x'.repeat(2049), 'too_long', 'too long (max 2048 characters)'],
    ['a'.repeat(10_000) + '.com', 'too_long', 'too long (max 2048 characters)'],
    ['evil\u0000.com', 'control_chars', 'contains control characters'],
    ['1.2.3.4\u0000', 'control_chars', 'contains control characters'],
    ['evil.com\r\nSet-Cookie:x', 'control_chars', 'contains control characters'],
    ['evil\u0085.com', 'control_chars', 'contains control characters'],
    ['evil\u007f.com', 'control_chars', 'contains control characters'],
    ['ex\u200bample.com', 'invisible_chars', 'contains invisible formatting characters'],
    ['evil.com\u202egnp', 'invisible_chars', 'contains invisible formatting characters'],
    ['ex\u00adample.com', 'invisible_chars', 'contains invisible formatting characters'],
    ['evil\ud800.com', 'malformed_unicode', 'contains malformed Unicode (unpaired surrogate)'],
    ['<img src=x onerror=alert(1)>', 'whitespace', 'contains whitespace'],
    ["' OR 1=1 --", 'whitespace', 'contains whitespace'],
    ['unrecom.net         # UnReCoM RAT', 'whitespace', 'contains whitespace'],
    ['evil\u00a0.com', 'whitespace', 'contains whitespace'],
    ['<script>alert(1)</script>', 'invalid_url'],
    ["'OR'1'='1", 'invalid_domain', 'domain contains invalid characters'],
    ['javascript:alert(1)', 'unsupported_scheme', 'unsupported URL scheme'],
    ['JaVaScRiPt:alert(document.cookie)', 'unsupported_scheme', 'unsupported URL scheme'],
    ['data:text/html;base64,PHNjcmlwdD4=', 'unsupported_scheme', 'unsupported URL scheme'],
    ['file:///etc/passwd', 'unsupported_scheme', 'unsupported URL scheme'],
    ['vbscript:msgbox(1)', 'unsupported_scheme', 'unsupported URL scheme'],
    ['gopher://evil.com/', 'unsupported_scheme', 'unsupported URL scheme'],
    ['http:evil.com', 'invalid_url', 'invalid URL (expected scheme://host)'],
    ['http://', 'invalid_url', 'URL has no host'],
    ['http:///evil.com', 'invalid_url', 'URL has no host'],
    ['http://user@', 'invalid_url', 'URL has no host'],
    ['/pay_or_leak', 'invalid_url', 'URL has no host'],
    ['http://010.1.1.1/', 'invalid_url', 'invalid URL host: IPv4 octet with a leading zero is ambiguous (octal or decimal)'],
    ['http://0x7f.1/', 'invalid_url', 'invalid URL host: looks like an IP address, not a domain'],
    ['http://2130706433/', 'invalid_url', 'invalid URL host: single-label name is not a domain'],
    ['http://1.2.3/', 'invalid_url', 'invalid URL host: invalid IPv4 address (expected four decimal octets)'],
    ['http://evil.com:0/', 'invalid_url', 'invalid URL port: invalid port (must be 1-65535)'],
    ['http://evil.com:99999/', 'invalid_url', 'invalid URL port: invalid port (must be 1-65535)'],
    ['http://ev%69l.com/', 'invalid_url', 'invalid URL host: domain contains invalid characters'],
    ['http://localhost/', 'invalid_url', 'invalid URL host: single-label name is not a domain'],
    ['http://[::1/', 'invalid_url', 'invalid URL host: unclosed IPv6 bracket'],
    ['(gomon|perevod)[0-9]{2,3}\\.ru', 'invalid_url'],
    // ipv4
    ['010.1.1.1', 'ambiguous_ipv4', 'IPv4 octet with a leading zero is ambiguous (octal or decimal)'],
    ['1.2.3.04', 'ambiguous_ipv4'],
    ['256.1.1.1', 'invalid_ipv4', 'IPv4 octet out of range (0-255)'],
    ['1.2.3', 'invalid_ipv4', 'invalid IPv4 address (expected four decimal octets)'],
    ['1.2.3.4.5', 'invalid_ipv4', 'invalid IPv4 address (expected four decimal octets)'],
    ['1.2.3.4.', 'invalid_ipv4'],
    ['1..2.3', 'invalid_ipv4'],
    ['1.2.3.4:0', 'invalid_port', 'invalid port (must be 1-65535)'],
    ['1.2.3.4:65536', 'invalid_port', 'invalid port (must be 1-65535)'],
    ['1.2.3.4:', 'invalid_port', 'invalid port (must be 1-65535)'],
    ['1.2.3.4:http', 'invalid_port'],
    ['213.165.60.118:22:443', 'invalid_port'],
    ['1.2.3.4:-1', 'invalid_port'],
    // ipv6
    ['fe80::1%eth0', 'invalid_ipv6', 'IPv6 zone identifiers are not allowed'],
    ['[fe80::1%25eth0]:80', 'invalid_ipv6', 'IPv6 zone identifiers are not allowed'],
    ['1:2:3:4:5:6:7:8:9', 'invalid_ipv6', 'invalid IPv6 address'],
    ['1:2:3:4:5:6:7', 'invalid_ipv6'],
    ['1::2::3', 'invalid_ipv6', 'IPv6 address has more than one "::"'],
    ['::12345', 'invalid_ipv6'],
    [':1::', 'invalid_ipv6'],
    ['1::2:', 'invalid_ipv6'],
    ['1:2:3:4:5:6:7:8::', 'invalid_ipv6'],
    ['::ffff:010.1.1.1', 'invalid_ipv6', 'invalid IPv4 part in IPv6 address'],
    ['::ffff:1.2.3', 'invalid_ipv6'],
    ['[2001:db8::1]:0', 'invalid_port'],
    ['[2001:db8::1]x', 'invalid_ipv6'],
    ['[2001:db8::1', 'invalid_ipv6', 'invalid IPv6 address (unclosed bracket)'],
    // cidr
    ['1.2.3.4/7', 'cidr_too_broad', 'CIDR prefix /7 is too broad (minimum /8 for IPv4)'],
    ['0.0.0.0/0', 'cidr_too_broad', 'CIDR prefix /0 is too broad (minimum /8 for IPv4)'],
    ['2001:db8::/31', 'cidr_too_broad', 'CIDR prefix /31 is too broad (minimum /32 for IPv6)'],
    ['::/0', 'cidr_too_broad', 'CIDR prefix /0 is too broad (minimum /32 for IPv6)'],
    ['1.2.3.4/33', 'invalid_cidr', 'invalid CIDR prefix length (must be 0-32)'],
    ['1.2.3.4/024', 'invalid_cidr', 'invalid CIDR prefix length (must be 0-32)'],
    ['2001:db8::/129', 'invalid_cidr', 'invalid CIDR prefix length (must be 0-128)'],
    ['010.0.0.0/8', 'invalid_cidr', 'invalid CIDR: IPv4 octet with a leading zero is ambiguous (octal or decimal)'],
    ['1.2.3/24', 'invalid_cidr'],
    // domains
    ['localhost', 'invalid_domain', 'single-label name is not a domain'],
    ['free', 'invalid_domain', 'single-label name is not a domain'],
    ['com', 'invalid_domain', 'single-label name is not a domain'],
    ['co.uk', 'public_suffix', 'is a public suffix, not a registrable domain'],
    ['foo.zzz', 'unknown_tld', 'unknown top-level domain (.zzz)'],
    ['foo.internal', 'unknown_tld', 'unknown top-level domain (.internal)'],
    ['evil.com.evil', 'unknown_tld'],
    ['.cc', 'invalid_domain', 'domain has an empty label'],
    ['evil..com', 'invalid_domain', 'domain has an empty label'],
    ['evil.com..', 'invalid_domain', 'domain has an empty label'],
    ['a'.repeat(64) + '.com', 'invalid_domain', 'domain label too long (max 63 characters)'],
    [`${'a'.repeat(60)}.`.repeat(5) + 'com', 'invalid_domain', 'domain too long (max 253 characters)'],
    ['xn--zz.com', 'invalid_domain', 'invalid punycode label'],
    ['ev!l.com', 'invalid_domain', 'domain contains invalid characters'],
    ['ev%69l.com', 'invalid_domain', 'domain contains invalid characters'],
    ['\u0430pple%2ecom', 'invalid_domain', 'domain contains invalid characters'],
    ['nklmtf[0-9][^.]*[0-9].t35.com', 'invalid_domain', 'domain contains invalid characters'],
    ['evil.com:0', 'invalid_port'],
    ['evil.com:443:443', 'invalid_port'],
    // emails
    ['a@b@evil.com', 'invalid_email', 'invalid email address (expected local@domain)'],
    ['a..b@evil.com', 'invalid_email', 'invalid email local part'],
    ['.a@evil.com', 'invalid_email', 'invalid email local part'],
    ['@evil.com', 'invalid_email', 'invalid email local part'],
    ['a@localhost', 'invalid_email', 'invalid email domain: single-label name is not a domain'],
    ['a@1.2.3.4', 'invalid_email', 'invalid email domain: looks like an IP address, not a domain'],
    ['a"b@evil.com', 'invalid_email', 'invalid email local part'],
    [`${'a'.repeat(65)}@evil.com`, 'invalid_email', 'invalid email local part'],
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(60)}.com`, 'invalid_email', 'email address too long (max 254 characters)'],
    ['mailto:', 'invalid_email', 'invalid email address (expected local@domain)'],
  ];

  it.each(cases)('%j -> %s', (input, code, reason) => {
    const r = parseIndicator(input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe(code);
    if (reason !== undefined) expect(r.reason).toBe(reason);
    expect(PARSE_ERROR_CODES).toContain(r.code);
  });

  it('never echoes the input in the reason', () => {
    const hostile = ['<img src=x onerror=alert(1)>', 'javascript:alert(1)', '<svg/onload=alert(1)>.com', 'http://<b>.com/'];
    for (const h of hostile) {
      const r = parseIndicator(h);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).not.toMatch(/[<>]|alert/);
    }
  });
});

describe('parseIndicator: explicit type', () => {
  const okCases: [string, IndicatorType, ParseResult][] = [
    ['1.2.3.4', 'ipv4', ok('ipv4', '1.2.3.4')],
    ['1.2.3.4:443', 'ipv4', ok('ipv4', '1.2.3.4', 443)],
    ['1.2.3.4/32', 'ipv4', ok('ipv4', '1.2.3.4')],
    ['[::1]:22', 'ipv6', ok('ipv6', '::1', 22)],
    ['2001:db8::1/128', 'ipv6', ok('ipv6', '2001:db8::1')],
    ['1.2.3.4/24', 'cidr', ok('cidr', '1.2.3.0/24')],
    // A host prefix is returned as an address, even when asked for a cidr.
    ['1.2.3.4/32', 'cidr', ok('ipv4', '1.2.3.4')],
    ['evil.com', 'domain', ok('domain', 'evil.com')],
    ['evil.com', 'url', ok('url', 'http://evil.com/')],
    ['1.2.3.4', 'url', ok('url', 'http://1.2.3.4/')],
    ['1.2.3.4:8080', 'url', ok('url', 'http://1.2.3.4:8080/')],
    ['evil.com:8080', 'url', ok('url', 'http://evil.com:8080/')],
    ['a@evil.com', 'email', ok('email', 'a@evil.com')],
    ['ABCDEF0123456789ABCDEF0123456789', 'md5', ok('md5', 'abcdef0123456789abcdef0123456789')],
  ];
  it.each(okCases)('%s as %s', (input, type, expected) => {
    expect(parseIndicator(input, { type })).toEqual(expected);
  });

  const errCases: [string, IndicatorType, string, string][] = [
    ['1.2.3.4', 'domain', 'invalid_domain', 'not a domain (looks like an IP address)'],
    ['1.2.3.4:80', 'domain', 'invalid_domain', 'not a domain (looks like an IP address)'],
    ['2001:db8::1', 'domain', 'invalid_domain', 'not a domain (looks like an IP address)'],
    ['[2001:db8::1]', 'domain', 'invalid_domain', 'not a domain (looks like an IP address)'],
    ['evil.com', 'ipv4', 'invalid_ipv4', 'invalid IPv4 address (expected four decimal octets)'],
    ['2001:db8::1', 'ipv4', 'invalid_ipv4', 'invalid IPv4 address (expected four decimal octets)'],
    ['1.2.3.0/24', 'ipv4', 'invalid_ipv4', 'not an IPv4 address'],
    ['1.2.3.4', 'ipv6', 'invalid_ipv6', 'invalid IPv6 address'],
    ['1.2.3.4/32', 'ipv6', 'invalid_ipv6', 'not an IPv6 address'],
    ['1.2.3.4', 'cidr', 'invalid_cidr', 'invalid CIDR (expected address/prefix)'],
    ['evil.com', 'email', 'invalid_email', 'invalid email address (expected local@domain)'],
    ['javascript:alert(1)', 'url', 'unsupported_scheme', 'unsupported URL scheme'],
    ['evil.com', 'md5', 'invalid_hash', 'not a valid md5 hash (expected 32 hexadecimal characters)'],
    ['d41d8cd98f00b204e9800998ecf8427e', 'sha1', 'invalid_hash', 'not a valid sha1 hash (expected 40 hexadecimal characters)'],
    ['g'.repeat(64), 'sha256', 'invalid_hash', 'not a valid sha256 hash (expected 64 hexadecimal characters)'],
  ];
  it.each(errCases)('%s as %s is rejected', (input, type, code, reason) => {
    expect(parseIndicator(input, { type })).toEqual({ ok: false, code, reason });
  });

  it('rejects an unknown type option', () => {
    expect(parseIndicator('evil.com', { type: 'asn' as IndicatorType })).toEqual({
      ok: false,
      code: 'invalid_option',
      reason: 'unknown indicator type',
    });
  });
});

describe('parseIndicator: CIDR limits', () => {
  it('honours maxCidrPrefix', () => {
    const opts = { maxCidrPrefix: { ipv4: 16, ipv6: 48 } };
    expect(parseIndicator('10.0.0.0/8', opts)).toEqual({
      ok: false,
      code: 'cidr_too_broad',
      reason: 'CIDR prefix /8 is too broad (minimum /16 for IPv4)',
    });
    expect(parseIndicator('10.1.0.0/16', opts)).toEqual(ok('cidr', '10.1.0.0/16'));
    expect(parseIndicator('2001:db8::/32', opts)).toMatchObject({ ok: false, code: 'cidr_too_broad' });
    expect(parseIndicator('2001:db8:1::/48', opts)).toEqual(ok('cidr', '2001:db8:1::/48'));
    expect(parseIndicator('0.0.0.0/0', { maxCidrPrefix: { ipv4: 0, ipv6: 0 } })).toEqual(ok('cidr', '0.0.0.0/0'));
    expect(parseIndicator('::/0', { maxCidrPrefix: { ipv4: 0, ipv6: 0 } })).toEqual(ok('cidr', '::/0'));
    // Nonsense limits fall back to the defaults instead of allowing everything.
    expect(parseIndicator('0.0.0.0/0', { maxCidrPrefix: { ipv4: Number.NaN, ipv6: -1 } })).toMatchObject({ code: 'cidr_too_broad' });
    expect(parseIndicator('::/0', { maxCidrPrefix: { ipv4: 8.5, ipv6: 999 } })).toMatchObject({ code: 'cidr_too_broad' });
  });
});

// Deterministic PRNG so failures are reproducible.
function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('parseIndicator: robustness', () => {
  const pieces = [
    'a', 'Z', '0', '9', 'f', '.', ':', '::', '/', '//', '@', '[', ']', '[.]', '(.)', '[at]', '%', '%2e', '?', '#',
    '\\', '-', '_', 'xn--', 'http://', 'hxxps[://]', 'javascript:', 'com', '.onion', '1.2.3.4', '255', '010',
    '\u0430', '\u00df', '\u200b', '\u202e', '\u3002', '\uff0e', '\u0000', '\n', ' ', '\ud83d\ude00', '\ud800', '<', '>',
    '"', "'", '`', '{', '}', '|', '^', '~', '=', '&', '+', '*', '$', '!', ',', ';',
  ];

  it('never throws and keeps its output invariants on 20k random inputs', () => {
    const rnd = mulberry32(0x5eed);
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = Math.floor(rnd() * 24);
      for (let j = 0; j < n; j++) s += pieces[Math.floor(rnd() * pieces.length)];
      const r = parseIndicator(s);
      expect(typeof r.ok).toBe('boolean');
      if (!r.ok) {
        expect(r.code).not.toBe('internal_error');
        continue;
      }
      expect(INDICATOR_TYPES).toContain(r.type);
      expect(r.value.length).toBeLessThanOrEqual(2048);
      expect(r.value).not.toMatch(/[\s\u0000-\u001f\u007f-\u009f]/);
      // Canonical values are fixed points, also when parsed as their own type,
      // and defanging round-trips.
      expect(parseIndicator(r.value)).toEqual({ ok: true, type: r.type, value: r.value });
      expect(parseIndicator(r.value, { type: r.type })).toMatchObject({ ok: true, type: r.type, value: r.value });
      expect(parseIndicator(defang(r.type, r.value))).toEqual({ ok: true, type: r.type, value: r.value });
    }
  });

  it('handles non-string input from untyped callers', () => {
    for (const bad of [undefined, null, 42, {}, []]) {
      const r = parseIndicator(bad as unknown as string);
      expect(r.ok).toBe(false);
    }
  });

  it('runs in linear time on adversarial 2048-character inputs', () => {
    const adversarial = [
      ':'.repeat(2048),
      ':'.repeat(2047) + 'x',
      '1:'.repeat(1023) + 'x',
      '1.'.repeat(1023) + 'x',
      '1.'.repeat(1020) + '1:1:x',
      'a.'.repeat(1023) + 'a',
      'a-'.repeat(1023) + '.com',
      '[.]'.repeat(682),
      '(dot)'.repeat(409),
      'a@'.repeat(1024),
      'a.'.repeat(1000) + '@evil.com',
      'http://' + 'a.'.repeat(1000) + 'com',
      'http://' + '@'.repeat(2000),
      'http://' + '['.repeat(2000),
      '\u0430.'.repeat(1000) + 'com',
      'f'.repeat(2048),
      '1'.repeat(2047) + '/',
      'javascript:' + ':'.repeat(2000),
    ];
    for (const s of adversarial) {
      const start = performance.now();
      const r = parseIndicator(s);
      const ms = performance.now() - start;
      expect(r.ok === true || r.ok === false).toBe(true);
      expect(ms).toBeLessThan(50);
    }
  });
});
