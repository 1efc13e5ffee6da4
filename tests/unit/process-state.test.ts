// One registry of process-wide state (issue 11): created on first use, shared by every importer
// (Next's bundles share globalThis), cleared with the runtime.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearProcessState, peekProcessSlot, processSlot, setProcessSlot } from '@/lib/process-state';

describe('process state', () => {
  it('creates a slot once, returns the same value after, and forgets everything when cleared', () => {
    let made = 0;
    const first = processSlot('test:slot', () => ({ n: ++made }));
    expect(processSlot('test:slot', () => ({ n: ++made }))).toBe(first);
    expect(made).toBe(1);
    setProcessSlot('test:other', 42);
    expect(peekProcessSlot('test:other')).toBe(42);
    clearProcessState();
    expect(peekProcessSlot('test:slot')).toBeUndefined();
    expect(processSlot('test:slot', () => ({ n: ++made }))).toEqual({ n: 2 });
    clearProcessState();
  });

  it('is the only process-wide slot on globalThis in lib/, server/ and app/', () => {
    const files = ['lib', 'server', 'app', 'components']
      .flatMap((dir) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => path.join(dir, f)))
      .filter((f) => /\.(ts|mts|tsx)$/.test(f) && !f.startsWith(path.join('lib', 'generated')));
    files.push('instrumentation.ts');
    const holders = files.filter((f) => /Symbol\.for\(|globalThis as/.test(readFileSync(f, 'utf8')));
    expect(holders).toEqual(['lib/process-state.ts']);
  });
});
