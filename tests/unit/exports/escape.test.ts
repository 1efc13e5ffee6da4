// Rule and zone formats with hostile values: whatever a value holds, it stays inside its one record
// (one line, its quoted option, its owner name) — checked as properties over arbitrary strings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dnsWireContent, ruleAddress, ruleContent, ruleMsg, toRpz, toRules, toTxt, zoneName, type ExportMeta, type ExportRow } from '@/lib/exports';

const meta: ExportMeta = {
  tier: 'firehose',
  lastModified: new Date('2026-11-30T00:00:00Z'),
  delaySeconds: 0,
  truncated: false,
  query: { format: 'suricata', type: null, days: 7, tag: null, feed: null, minConfidence: 0 },
  baseUrl: 'http://localhost:3000',
};
const row = (type: ExportRow['type'], value: string, tags: string[] = []): ExportRow => ({
  id: 7,
  type,
  value,
  confidence: 80,
  tags,
  feeds: ['f'],
  firstSeen: '2026-11-30T00:00:00.000Z',
  lastSeen: '2026-11-30T00:00:00.000Z',
});
const HEADER_LINES = 4;

/** The quoted msg option of a rule, unescaped-quote aware: its end is the first `"` not after a `\`. */
function msgOf(rule: string): string {
  const start = rule.indexOf('msg:"') + 5;
  let i = start;
  while (i < rule.length && !(rule[i] === '"' && rule[i - 1] !== '\\')) i++;
  return rule.slice(start, i);
}

describe('rule escaping', () => {
  it('keeps a hostile domain, tag or address inside its one rule (Suricata and Snort)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.string({ maxLength: 30 }), (value, tag) => {
        for (const engine of ['suricata', 'snort'] as const) {
          const out = toRules([row('domain', value, [tag]), row('ipv4', value), row('cidr', value)], meta, engine);
          const lines = out.trimEnd().split('\n').slice(HEADER_LINES);
          for (const rule of lines) {
            expect(rule).toMatch(/^alert (ip|dns|udp) \$HOME_NET any (<>|->) /);
            expect(rule).toMatch(/; sid:\d+; rev:1;\)$/);
            // The msg holds no unescaped quote or semicolon, nothing outside printable ASCII.
            const msg = msgOf(rule);
            expect(msg.replace(/\\[\\";]/g, '')).not.toMatch(/["\\;]|[^\x20-\x7e]/);
            // Content patterns: only safe characters and |hex| groups.
            for (const m of rule.matchAll(/content:"([^"]*)"/g)) expect(m[1]).toMatch(/^([A-Za-z0-9._-]|\|[0-9a-f]{2}( [0-9a-f]{2})*\|)*$/);
          }
          // Never more rules than values that could be written.
          expect(lines.length).toBeLessThanOrEqual(3);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('writes rules a reader expects for real values', () => {
    const out = toRules([row('ipv4', '45.83.64.1', ['c2']), row('domain', 'evil.example-phish.net'), row('ipv6', '2001:db8::1'), row('cidr', '10.1.0.0/16')], meta, 'suricata');
    expect(out).toContain('alert ip $HOME_NET any <> [45.83.64.1] any (msg:"SLUICE ipv4 45.83.64.1 [c2]"; classtype:trojan-activity; priority:1; sid:3000000007; rev:1;)');
    expect(out).toContain('dns.query; dotprefix; content:".evil.example-phish.net"; nocase; endswith;');
    expect(out).toContain('<> [2001:db8::1] any');
    expect(out).toContain('<> [10.1.0.0/16] any');
    const snort = toRules([row('domain', 'evil.example')], meta, 'snort');
    expect(snort).toContain('alert udp $HOME_NET any -> any 53 (msg:"SLUICE domain evil.example"; content:"|04|evil|07|example|00|"; nocase;');
  });

  it('escapes what must be escaped rather than dropping it', () => {
    expect(ruleMsg('a"b;c\\d\ne')).toBe('a\\"b\\;c\\\\d?e');
    expect(ruleContent('a";|\\b')).toBe('a|22 3b 7c 5c|b');
    expect(dnsWireContent('ev"il.com')).toBe('|05|ev|22|il|03|com|00|');
    expect(dnsWireContent('é.com')).toBe('|02 c3 a9 03|com|00|');
    expect(ruleAddress('1.2.3.4; alert')).toBeNull();
    expect(ruleAddress('1.2.3.4/33')).toBeNull();
    expect(ruleAddress('1.2.3.4/24')).toBe('1.2.3.4/24');
  });
});

describe('zone escaping', () => {
  it('keeps a hostile domain inside its one RPZ record', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), (value) => {
        const out = toRpz([row('domain', value)], { ...meta, query: { ...meta.query, format: 'rpz' } });
        const records = out.trimEnd().split('\n').slice(HEADER_LINES + 3);
        expect(records.length === 0 || records.length === 2).toBe(true);
        for (const record of records) {
          // owner name: label characters or \DDD escapes, dots between labels; then exactly " CNAME ."
          expect(record).toMatch(/^(\*\.)?([A-Za-z0-9_-]|\\\d{3})+(\.([A-Za-z0-9_-]|\\\d{3})+)* CNAME \.$/);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('escapes zone-file specials as \\DDD', () => {
    expect(zoneName('evil.com')).toBe('evil.com');
    expect(zoneName('a;b.com')).toBe('a\\059b.com');
    expect(zoneName('$include.com')).toBe('\\036include.com');
    expect(zoneName('x y\nz.com')).toBe('x\\032y\\010z.com');
    expect(zoneName('*.com')).toBe('\\042.com');
    expect(zoneName('a..com')).toBeNull();
  });

  it('plain lists hold one value per line, never a value with whitespace', () => {
    expect(toTxt([row('domain', 'a.com'), row('domain', 'b.com\nc.com'), row('url', 'http://x.com/ y')])).toBe('a.com\n');
  });
});

describe('file headers', () => {
  it('point to the list of exports (GET /api/v1/exports), a page that exists: /docs/exports never did', () => {
    for (const body of [toRules([], meta, 'suricata'), toRules([], meta, 'snort'), toRpz([], meta)]) {
      const lines = body.split('\n');
      expect(lines.slice(0, HEADER_LINES).join('\n')).toMatch(/ http:\/\/localhost:3000\/api\/v1\/exports$/m);
      expect(body).not.toMatch(/\/docs\/exports/);
    }
  });
});
