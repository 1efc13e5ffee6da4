// IP enrichment micro-benchmark (docs/enrichment.md): opening the offline database (wall and CPU
// time, memory), then lookups/s over random global addresses against a baseline in the same run —
// parsing the same addresses (parseIP), which every ingested IP already pays.
//   node --import tsx bench/enrichment.mts     (BENCH_N lookups per round, default 200,000)
import os from 'node:os';
import { enrichIp, getEnrichmentDatabase } from '../lib/enrichment';
import { parseIP } from '../lib/indicators/net';

const N = Number(process.env.BENCH_N ?? 200_000);
const ROUNDS = 5;

function randomV4(): string {
  for (;;) {
    const a = 1 + Math.floor(Math.random() * 223);
    if (a === 10 || a === 127 || a === 100 || a === 169 || a === 172 || a === 192) continue;
    return `${a}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;
  }
}
function randomV6(): string {
  const h = () => Math.floor(Math.random() * 0x10000).toString(16);
  // 2000::/4 … 2c00::/6-ish: where allocations are; skip 2001:db8 and 2002 (6to4).
  const first = (0x2400 + Math.floor(Math.random() * 0x0c00)).toString(16);
  return `${first}:${h()}:${h()}:${h()}::${h()}`;
}

const heapBefore = process.memoryUsage();
const cpuBefore = process.cpuUsage();
const t0 = performance.now();
const db = getEnrichmentDatabase();
const openMs = performance.now() - t0;
const cpu = process.cpuUsage(cpuBefore);
const heapAfter = process.memoryUsage();
if (!db) throw new Error('the enrichment database could not be opened');

const v4 = Array.from({ length: N }, randomV4);
const v6 = Array.from({ length: N }, randomV6);

function rate(run: (values: string[]) => number, values: string[]): number {
  let best = 0;
  for (let r = 0; r < ROUNDS; r++) {
    const started = performance.now();
    run(values);
    best = Math.max(best, values.length / ((performance.now() - started) / 1000));
  }
  return best;
}
const parseOnly = (values: string[]) => values.reduce((n, v) => n + (parseIP(v) ? 1 : 0), 0);
const enrich = (values: string[]) => values.reduce((n, v) => n + (enrichIp(v).asn ? 1 : 0), 0);

const found = { v4: enrich(v4) / N, v6: enrich(v6) / N };
const results = {
  v4: { parse: rate(parseOnly, v4), enrich: rate(enrich, v4) },
  v6: { parse: rate(parseOnly, v6), enrich: rate(enrich, v6) },
};
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const mb = (b: number) => (b / 1e6).toFixed(0);
console.log(`date: ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
console.log(`database: ${db.info.asn.package}@${db.info.asn.version} (${db.info.asn.ranges.ipv4} IPv4 + ${db.info.asn.ranges.ipv6} IPv6 ranges), ${db.info.country.package}@${db.info.country.version}`);
console.log(`open: ${openMs.toFixed(0)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms CPU; memory +${mb(heapAfter.rss - heapBefore.rss)} MB RSS (+${mb(heapAfter.heapUsed - heapBefore.heapUsed)} MB heap, +${mb(heapAfter.arrayBuffers - heapBefore.arrayBuffers)} MB buffers)`);
for (const family of ['v4', 'v6'] as const) {
  const r = results[family];
  console.log(
    `IP${family}: enrichIp ${fmt(r.enrich)} lookups/s (${(1e6 / r.enrich).toFixed(2)} µs each; ${Math.round(found[family] * 100)}% of random addresses found), ` +
      `baseline parseIP ${fmt(r.parse)}/s — ratio ${(r.enrich / r.parse).toFixed(2)}`,
  );
}
