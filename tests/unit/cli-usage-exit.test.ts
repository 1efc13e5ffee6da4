// The README's exit codes for the client commands: 2 for bad usage, whether the CLI's own checks or
// commander's (an unknown command or option, a missing or invalid argument) find it; help exits 0;
// `sluice admin` keeps its documented 1 for bad arguments. Both entries: the repository's
// bin/sluice.mjs and the installable package's cli/standalone.ts. No server is needed.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

function run(entry: string[], args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SLUICE_URL: 'http://127.0.0.1:1', SLUICE_TOKEN: 'slc_x', LOG_LEVEL: 'silent' };
    for (const key of ['DATABASE_URL', 'REDIS_URL']) delete env[key];
    execFile(process.execPath, [...entry, ...args], { cwd: ROOT, env, timeout: 30_000 }, (error, _stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr });
    });
  });
}

const entries = { 'bin/sluice.mjs': ['bin/sluice.mjs'], 'cli/standalone.ts': ['--import', 'tsx', 'cli/standalone.ts'] };

describe.each(Object.entries(entries))('sluice usage errors (%s)', (_name, entry) => {
  it.each([
    [['stream', '--format', 'xml'], /Allowed choices are jsonl, csv/],
    [['stream', '--no-such-option'], /unknown option/],
    [['submit'], /missing required argument 'feed'/],
    [['check'], /missing required argument 'value'/],
    [['export', '--format', 'pdf'], /Allowed choices are stix, csv, txt/],
    [['webhook', 'add'], /missing required argument 'url'/],
    [['frobnicate'], /unknown command 'frobnicate'/],
  ])('%j exits 2', async (args, message) => {
    const result = await run(entry, args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  it('--help exits 0', async () => {
    expect((await run(entry, ['--help'])).code).toBe(0);
    expect((await run(entry, ['stream', '--help'])).code).toBe(0);
  });
});

describe('sluice admin usage errors', () => {
  it('exit 1, as docs/accounts.md says', async () => {
    const result = await run(['bin/sluice.mjs'], ['admin', 'user', 'plan', '--email', 'ops@example.com', '--plan', 'gold']);
    expect(result.stderr).toMatch(/Allowed choices are free, firehose/);
    expect(result.code).toBe(1);
  });
});
