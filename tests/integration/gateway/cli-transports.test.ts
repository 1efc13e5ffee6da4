// `sluice stream --transport sse|ndjson|socketio`: the CLI gives the same events, in the same
// order, whichever transport carries them, and resumes from a cursor on each (--since).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirehoseEvent } from '@/lib/events';
import { startGatewayHarness, until, type GatewayHarness } from '../../helpers/gateway-harness';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const TRANSPORTS = ['socketio', 'sse', 'ndjson'] as const;

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness();
}, 120_000);
afterAll(async () => h?.close());

function run(args: string[]) {
  const child = spawn(process.execPath, ['bin/sluice.mjs', ...args], { cwd: ROOT, env: { ...process.env } });
  const out = { lines: [] as string[], stderr: '' };
  createInterface({ input: child.stdout }).on('line', (line) => out.lines.push(line));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, out, exit };
}

describe('sluice stream --transport', () => {
  it('delivers the same events in the same order on every transport, from a cursor', { timeout: 120_000 }, async () => {
    const { token } = await h.makeToken();
    const [anchor] = await h.append(1);
    const sent = await h.append(12);
    const outputs: Record<string, string[]> = {};
    for (const transport of TRANSPORTS) {
      const cli = run(['stream', '--transport', transport, '--url', h.url, '--token', token, '--since', anchor.cursor, '--limit', '12']);
      try {
        const code = await Promise.race([cli.exit, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000))]);
        expect(code, `${transport}: ${cli.out.stderr}`).toBe(0);
      } finally {
        cli.child.kill();
      }
      outputs[transport] = cli.out.lines.map((l) => (JSON.parse(l) as FirehoseEvent).id);
    }
    const expected = sent.map((e) => e.id);
    for (const transport of TRANSPORTS) expect(outputs[transport], transport).toEqual(expected);
  });

  it('streams live events on the HTTP transports and exits 3 on a refused token', { timeout: 60_000 }, async () => {
    const { token } = await h.makeToken();
    for (const transport of ['sse', 'ndjson'] as const) {
      const cli = run(['stream', '--transport', transport, '--url', h.url, '--token', token, '--limit', '3']);
      try {
        await until(() => /streaming|connected/i.test(cli.out.stderr), 30_000, `${transport} to connect`);
        const sent = await h.append(3);
        expect(await cli.exit, cli.out.stderr).toBe(0);
        expect(cli.out.lines.map((l) => (JSON.parse(l) as FirehoseEvent).id)).toEqual(sent.map((e) => e.id));
      } finally {
        cli.child.kill();
      }
    }
    const refused = run(['stream', '--transport', 'sse', '--url', h.url, '--token', 'slc_not_a_real_token']);
    expect(await refused.exit, refused.out.stderr).toBe(3);
  });
});

