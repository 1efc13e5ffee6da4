// Runs the real-world maltrail corpus (1.47M rows) through the parser and the
// never-publish check. Falls back to the committed 3288-row sample when the
// shared corpus is not present (e.g. in CI). Set MALTRAIL_CORPUS to override.
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  checkNeverPublish,
  compileAllowList,
  defang,
  INDICATOR_TYPES,
  parseIndicator,
  type IndicatorType,
} from '../../../lib/indicators';

const here = path.dirname(fileURLToPath(import.meta.url));
const FULL_CORPUS = process.env.MALTRAIL_CORPUS ?? path.resolve(here, '../../../../shared/data/maltrail/trails.jsonl.gz');
const FIXTURE = path.resolve(here, '../../fixtures/maltrail-sample.jsonl');
const useFull = existsSync(FULL_CORPUS);
const source = useFull ? FULL_CORPUS : FIXTURE;

interface Row {
  value: unknown;
}

describe('maltrail corpus', () => {
  it(
    `parses every row of ${path.basename(source)} without throwing`,
    async () => {
      const input = createReadStream(source);
      const lines = createInterface({
        input: source.endsWith('.gz') ? input.pipe(createGunzip()) : input,
        crlfDelay: Infinity,
      });
      const allow = compileAllowList({ domains: ['google.com', 'microsoft.com'], networks: ['8.8.8.0/24'] });
      const accepted = new Map<IndicatorType, number>(INDICATOR_TYPES.map((t) => [t, 0]));
      const blocked = new Map<IndicatorType, number>(INDICATOR_TYPES.map((t) => [t, 0]));
      const rejected = new Map<string, number>();
      const withPort = { count: 0 };
      let rows = 0;
      let parseMs = 0;
      let invariantFailures = 0;
      const started = performance.now();

      for await (const line of lines) {
        if (line === '') continue;
        const row = JSON.parse(line) as Row;
        rows++;
        const value = typeof row.value === 'string' ? row.value : String(row.value);
        const t0 = performance.now();
        const r = parseIndicator(value);
        const np = r.ok ? checkNeverPublish(r, allow) : null;
        parseMs += performance.now() - t0;
        if (!r.ok) {
          rejected.set(r.code, (rejected.get(r.code) ?? 0) + 1);
          continue;
        }
        accepted.set(r.type, (accepted.get(r.type) ?? 0) + 1);
        if (r.port !== undefined) withPort.count++;
        if (np?.blocked) blocked.set(r.type, (blocked.get(r.type) ?? 0) + 1);
        // Canonical values are fixed points and survive defang/refang. Checked
        // on a 1-in-10 sample of the full corpus to keep the run fast.
        if (!useFull || rows % 10 === 0) {
          const again = parseIndicator(r.value, { type: r.type });
          const refanged = parseIndicator(defang(r.type, r.value));
          if (!again.ok || again.value !== r.value || !refanged.ok || refanged.value !== r.value || refanged.type !== r.type) {
            invariantFailures++;
          }
        }
      }
      const totalMs = performance.now() - started;

      const totalAccepted = [...accepted.values()].reduce((a, b) => a + b, 0);
      const table = INDICATOR_TYPES.map((type) => ({
        type,
        accepted: accepted.get(type) ?? 0,
        blocked: blocked.get(type) ?? 0,
      })).filter((r) => r.accepted > 0);
      console.log(
        `maltrail ${useFull ? 'full corpus' : 'fixture'}: ${rows} rows, ${totalAccepted} accepted ` +
          `(${((100 * totalAccepted) / rows).toFixed(2)}%), ${withPort.count} with port; ` +
          `parse+check ${parseMs.toFixed(0)} ms, total ${totalMs.toFixed(0)} ms`,
      );
      console.table(table);
      console.table([...rejected.entries()].sort((a, b) => b[1] - a[1]).map(([code, count]) => ({ code, rejected: count })));

      expect(invariantFailures).toBe(0);
      expect(rejected.get('internal_error') ?? 0).toBe(0);
      // The fixture deliberately over-samples invalid rows (about 12% of it).
      expect(totalAccepted / rows).toBeGreaterThan(useFull ? 0.9 : 0.85);
      const min = useFull
        ? { ipv4: 200_000, domain: 1_000_000, url: 50_000, ipv6: 5, cidr: 3 }
        : { ipv4: 400, domain: 2_000, url: 100, ipv6: 5, cidr: 3 };
      for (const [type, n] of Object.entries(min)) {
        expect(accepted.get(type as IndicatorType) ?? 0, `accepted ${type}`).toBeGreaterThan(n);
      }
      expect(withPort.count).toBeGreaterThan(useFull ? 200_000 : 400);
      // Path-only trails ("/gate.php") have no host and must be rejected.
      expect(rejected.get('invalid_url') ?? 0).toBeGreaterThan(useFull ? 80_000 : 10);
    },
    120_000,
  );
});
