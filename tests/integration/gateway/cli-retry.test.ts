// The server's own trouble is retryable, not a usage error: a handshake that fails inside the
// server is refused with `unavailable`, and `sluice stream` retries it (and `sluice check`/`submit`
// retry HTTP 503) with backoff instead of exiting.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirehoseEvent } from '@/lib/events';
import { connected, connectError, startGatewayHarness, until, type GatewayHarness } from '../../helpers/gateway-harness';

const ROOT = path.resolve(import.meta.dirname, '../../..');

let h: GatewayHarness;
beforeAll(async () => {
  h = await startGatewayHarness();
});
afterAll(async () => h?.close());

/** Makes the handshake's cursor check throw (as when the log's store is down) `times` times. */
function failHandshakes(times: number) {
  const log = h.runtime.engines.log;
  const original = log.bounds.bind(log);
  let failed = 0;
  log.bounds = async () => {
    if (failed < times && /checkCursor/.test(new Error().stack ?? '')) {
      failed += 1;
      throw new Error('connect ECONNREFUSED 127.0.0.1:6379 (injected)');
    }
    return original();
  };
  return {
    failed: () => failed,
    restore: () => {
      log.bounds = original;
    },
  };
}

function run(args: string[]) {
  const child = spawn(process.execPath, ['bin/sluice.mjs', ...args], { cwd: ROOT, env: { ...process.env } });
  const out = { lines: [] as string[], stderr: '', code: null as number | null, exited: false };
  createInterface({ input: child.stdout }).on('line', (line) => out.lines.push(line));
  child.stderr.on('data', (d) => (out.stderr += d));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      out.code = code;
      out.exited = true;
      resolve(code);
    }),
  );
  return { child, out, exit };
}

describe('unavailable', () => {
  it('an internal error in the handshake is refused as unavailable, not invalid_request', async () => {
    const { token } = await h.makeToken();
    const [first] = await h.append(1);
    const fault = failHandshakes(1);
    try {
      const refused = await connectError(h.client({ token, since: first.cursor }));
      expect(refused.code).toBe('unavailable');
      expect(refused.message).toMatch(/retry/);
    } finally {
      fault.restore();
    }
    // And once the store is back, the same connection is admitted.
    const socket = h.client({ token, since: first.cursor });
    await connected(socket);
    socket.disconnect();
  });

  it('sluice stream retries unavailable with backoff, then streams', { timeout: 60_000 }, async () => {
    const { token } = await h.makeToken();
    const [first] = await h.append(1);
    const fault = failHandshakes(3);
    const cli = run(['stream', '--url', h.url, '--token', token, '--since', first.cursor, '--limit', '3']);
    try {
      await until(() => cli.out.stderr.includes('streaming from') || cli.out.exited, 30_000, 'the CLI to connect after its retries');
      expect(cli.out.exited, cli.out.stderr).toBe(false);
      expect(fault.failed()).toBe(3);
      expect(cli.out.stderr.match(/unavailable: .*retrying in/g)).toHaveLength(3);
      const sent = await h.append(3);
      expect(await cli.exit).toBe(0);
      expect(cli.out.lines.map((l) => (JSON.parse(l) as FirehoseEvent).id)).toEqual(sent.map((e) => e.id));
    } finally {
      fault.restore();
      cli.child.kill();
    }
  });

  it('sluice check retries HTTP 503 answers, honouring Retry-After', { timeout: 60_000 }, async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls += 1;
      if (calls <= 2) {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
        return res.end(JSON.stringify({ error: { code: 'unavailable', message: 'database unavailable' } }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ known: false, indicator: { type: 'ipv4', value: '45.83.64.1' } })); // as the contract says
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const started = Date.now();
      const cli = run(['check', '45.83.64.1', '--url', url, '--token', 'slc_x']);
      expect(await cli.exit, cli.out.stderr).toBe(0);
      expect(calls).toBe(3);
      expect(cli.out.lines.join('\n')).toMatch(/not known/);
      expect(cli.out.stderr).toMatch(/HTTP 503.*retrying/);
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900); // two Retry-After: 1 waits
    } finally {
      server.close();
    }
  });
});
