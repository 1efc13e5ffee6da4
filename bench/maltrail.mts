// Reads maltrail rows: the full corpus under ../shared/data/maltrail when present, else the committed
// fixture. Shared by bench/ingest.mts and scripts/seed.mts.
import { createReadStream, existsSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';

export interface TrailRow {
  value: string;
  family: string;
  category: string;
  aliases?: string[];
  reference?: string;
}

const ROOT = path.resolve(import.meta.dirname, '..');
export const CORPUS = process.env.MALTRAIL_CORPUS ?? path.resolve(ROOT, '../shared/data/maltrail/trails.jsonl.gz');
export const FIXTURE = path.resolve(ROOT, 'tests/fixtures/maltrail-sample.jsonl');

export function corpusPath(): string {
  return existsSync(CORPUS) ? CORPUS : FIXTURE;
}

/** Yields up to `limit` rows from the corpus (or the fixture). */
export async function* readTrails(limit = Infinity, file = corpusPath()): AsyncGenerator<TrailRow> {
  const input = file.endsWith('.gz') ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  try {
    for await (const line of lines) {
      if (!line.trim()) continue;
      yield JSON.parse(line) as TrailRow;
      if (++n >= limit) break;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
