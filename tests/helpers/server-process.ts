// Starts a real Sluice node (server/index.mts) as a child process for API and multi-node tests.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Every log line the server printed so far (JSON lines and others). */
  logs: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * `env` overrides the test defaults (PORT 0, HOST 127.0.0.1); a value of `undefined` unsets a variable, as a user who never set it.
 * `nodeArgs` go before the script, e.g. ['--cpu-prof'] for a benchmark's profile (NODE_OPTIONS refuses it).
 */
export async function startServer(env: Record<string, string | undefined>, { timeoutMs = 60_000, nodeArgs = [] as string[] } = {}): Promise<ServerProcess> {
  const merged: Record<string, string | undefined> = {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    ...env,
  };
  for (const [name, value] of Object.entries(merged)) if (value === undefined) delete merged[name];
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/index.mts'], {
    cwd: ROOT,
    env: merged as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave an orphan behind a failed start: it would hold its port and database.
      child.kill('SIGKILL');
      reject(new Error(`server did not start within ${timeoutMs} ms:\n${logs.join('\n')}`));
    }, timeoutMs);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        logs.push(line);
        if (line.includes('"Sluice is listening"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { url: string }).url.replace('localhost', '127.0.0.1'));
        }
      });
    }
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${logs.join('\n')}`));
    });
  });
  return {
    url,
    child,
    logs,
    stop(signal = 'SIGTERM') {
      // A child killed by a signal has exitCode null and signalCode set: it is gone all the same.
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
      return new Promise((resolve) => {
        child.once('exit', (code) => resolve(code));
        child.kill(signal);
      });
    },
  };
}

/**
 * Starts a real node, runs `fn` with it and always stops it (SIGTERM, or options.stopSignal), even when
 * `fn` throws. Returns what `fn` returned; once it resolves, the node's exit code is `server.child.exitCode`.
 */
export async function withServer<T>(
  env: Record<string, string>,
  fn: (server: ServerProcess) => Promise<T> | T,
  options: { timeoutMs?: number; stopSignal?: NodeJS.Signals } = {},
): Promise<T> {
  const server = await startServer(env, { timeoutMs: options.timeoutMs });
  try {
    return await fn(server);
  } finally {
    await server.stop(options.stopSignal);
  }
}
