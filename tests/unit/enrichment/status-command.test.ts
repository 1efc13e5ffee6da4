// `npm run enrichment:status`, the command docs/enrichment.md tells operators to run after an update:
// it names the installed packages and their licences and shows real lookups.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('npm run enrichment:status', () => {
  it('says which data is installed, under which licence, and looks up known addresses', async () => {
    const { stdout } = await promisify(execFile)('npm', ['run', '--silent', 'enrichment:status'], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toMatch(/AS numbers and organisations: @ip-location-db\/asn@\d+\.\d+\.\d{10} \(data of \d{4}-\d{2}-\d{2}; \d+ IPv4 and \d+ IPv6 ranges; CC BY 4\.0/);
    expect(stdout).toMatch(/Countries: +@ip-location-db\/geo-whois-asn-country-mmdb@\S+ \(built \d{4}-\d{2}-\d{2}; CC0/);
    const line = (ip: string) => JSON.parse(stdout.split('\n').find((l) => l.trim().startsWith(ip + ' '))!.trim().slice(ip.length).trim()) as { asn?: number };
    expect(line('1.1.1.1').asn).toBe(13335);
    expect(line('193.0.6.139').asn).toBe(3333);
    expect(line('2001:4860:4860::8888').asn).toBe(15169);
  }, 90_000);
});
