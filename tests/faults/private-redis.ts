// A redis-server of the test's own, on a free port, without persistence: fault tests stop, kill and
// restart it. The shared Redis on 6379 is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../helpers/free-port';
export { freePort } from '../helpers/free-port';

export interface PrivateRedis {
  port: number;
  url: string;
  /** Starts (again) on the same port, empty. */
  start(): Promise<void>;
  /** Kills it (SIGKILL: a crash, nothing saved). */
  kill(): Promise<void>;
}


export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const url = `redis://127.0.0.1:${port}`;
  const redis: PrivateRedis = {
    port,
    url,
    async start() {
      child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      const deadline = Date.now() + 10_000;
      for (;;) {
        try {
          await probe.connect();
          await probe.ping();
          probe.disconnect();
          return;
        } catch {
          probe.disconnect();
          if (Date.now() > deadline) throw new Error(`private redis-server on ${port} did not start`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
    },
    async kill() {
      const running = child;
      child = null;
      if (!running || running.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        running.once('exit', () => resolve());
        running.kill('SIGKILL');
      });
    },
  };
  await redis.start();
  return redis;
}
