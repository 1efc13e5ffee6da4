import { describe, expect, it } from 'vitest';
import { defang, parseIndicator, type IndicatorType } from '../../../lib/indicators';

describe('defang', () => {
  const cases: [IndicatorType, string, string][] = [
    ['ipv4', '1.2.3.4', '1[.]2[.]3[.]4'],
    ['ipv6', '2001:db8::1', '2001:db8::1'],
    ['ipv6', '::ffff:102:304', '::ffff:102:304'],
    ['cidr', '10.0.0.0/8', '10[.]0[.]0[.]0/8'],
    ['cidr', '2001:db8::/32', '2001:db8::/32'],
    ['domain', 'evil.com', 'evil[.]com'],
    ['domain', 'a.b.evil.co.uk', 'a[.]b[.]evil[.]co[.]uk'],
    ['domain', 'xn--pple-43d.com', 'xn--pple-43d[.]com'],
    ['url', 'http://evil.com/', 'hxxp://evil[.]com/'],
    ['url', 'https://evil.com/a.php?x=1.2', 'hxxps://evil[.]com/a.php?x=1.2'],
    ['url', 'http://1.2.3.4:8080/x.exe', 'hxxp://1[.]2[.]3[.]4:8080/x.exe'],
    ['url', 'http://[2001:db8::1]:8080/x', 'hxxp://[2001:db8::1]:8080/x'],
    ['url', 'ftp://files.evil.com/a', 'fxp://files[.]evil[.]com/a'],
    ['url', 'wss://evil.com/s', 'wss://evil[.]com/s'],
    ['url', 'http://user.name:pw@evil.com/', 'hxxp://user.name:pw@evil[.]com/'],
    ['url', 'http://evil.com?q=a.b', 'hxxp://evil[.]com?q=a.b'],
    ['email', 'foo.bar@evil.com', 'foo.bar[@]evil[.]com'],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427e', 'd41d8cd98f00b204e9800998ecf8427e'],
    ['sha1', 'a9993e364706816aba3e25717850c26c9cd0d89d', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['sha256', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
    ['sha512', 'ab'.repeat(64), 'ab'.repeat(64)],
    // Non-canonical input still yields something unclickable
    ['url', 'evil.com/x', 'evil[.]com/x'],
    ['email', 'not-an-email.com', 'not-an-email[.]com'],
  ];

  it.each(cases)('%s %s -> %s', (type, value, out) => {
    expect(defang(type, value)).toBe(out);
  });

  it('round-trips through parseIndicator', () => {
    const inputs = [
      '1.2.3.4',
      '2001:db8::1',
      '10.0.0.0/8',
      '2001:db8::/32',
      'evil.com',
      '\u0430pple.com',
      'http://evil.com/a.php?x=1',
      'https://1.2.3.4:8443/x',
      'http://[2001:db8::1]:8080/x',
      'ftp://files.evil.com/a',
      'wss://evil.com/s',
      'foo.bar@evil.com',
      'd41d8cd98f00b204e9800998ecf8427e',
    ];
    for (const input of inputs) {
      const r = parseIndicator(input);
      if (!r.ok) throw new Error(`unexpected reject ${input}`);
      expect(parseIndicator(defang(r.type, r.value))).toEqual(r);
    }
  });
});
