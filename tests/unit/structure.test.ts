// Structure rules that keep the code readable as it grows (issue 11; CONTRIBUTING.md): a file in
// lib/ or server/ stays under ~300 lines unless its header says why it is longer.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const MAX_LINES = 300;
const REASON = /Longer than 300 lines because/;

function sources(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((f) => path.join(dir, f))
    .filter((f) => /\.(ts|mts|tsx)$/.test(f) && !f.startsWith(path.join('lib', 'generated')));
}

describe('structure', () => {
  it(`files in lib/ and server/ over ${MAX_LINES} lines say why in their header`, () => {
    const unexplained = [...sources('lib'), ...sources('server')].filter((file) => {
      const lines = readFileSync(file, 'utf8').split('\n');
      return lines.length > MAX_LINES && !REASON.test(lines.slice(0, 20).join('\n'));
    });
    expect(unexplained).toEqual([]);
  });
});
