// The committed generated files (docs/openapi.json, docs/asyncapi.json, cli/generated/openapi.ts)
// are what `npm run generate` makes from the code now: CI fails when they are stale.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generatedOutputs } from '@/scripts/generate/outputs.mts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

describe('generated files', () => {
  it('are up to date (run `npm run generate` and commit the result)', async () => {
    const stale: string[] = [];
    for (const [file, content] of Object.entries(await generatedOutputs())) {
      const committed = await readFile(path.join(ROOT, file), 'utf8').catch(() => null);
      if (committed !== content) stale.push(committed === null ? `${file} (missing)` : file);
    }
    expect(stale, `stale generated files — run \`npm run generate\` and commit: ${stale.join(', ')}`).toEqual([]);
  });
});
