// Connection errors are logged, once per outage at warn level (then debug), and the recovery once.
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { reportConnectionErrors } from '@/lib/connection-errors';
import { startPrivateRedis } from '../../faults/private-redis';
import { createBullQueue } from '@/lib/jobs';
import { Redis } from 'ioredis';

function capture() {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (_: unknown, msg?: string) => void lines.push({ level, msg: String(msg) });
  return { lines, logger: { warn: at('warn'), debug: at('debug'), info: at('info') } as never };
}

describe('connection error reporting', () => {
  it('warns once per outage, then debug, and says when the client is back', () => {
    const { lines, logger } = capture();
    const client = new EventEmitter();
    reportConnectionErrors(client, logger, 'test client');
    for (let i = 0; i < 5; i++) client.emit('error', new Error('ECONNREFUSED'));
    client.emit('ready');
    client.emit('error', new Error('ECONNRESET'));
    expect(lines.map((l) => l.level)).toEqual(['warn', 'debug', 'debug', 'debug', 'debug', 'info', 'warn']);
    expect(lines[0].msg).toMatch(/test client: connection error/);
  });

  it('a BullMQ queue on a Redis that dies logs the outage (no silent handler)', async () => {
    const redis = await startPrivateRedis();
    const { lines, logger } = capture();
    const connection = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    connection.on('error', () => undefined); // the test's own connection
    const queue = createBullQueue({ name: 'q', redis: connection, prefix: 'errtest:', defaults: { attempts: 1, backoffMs: 10 }, logger });
    try {
      await queue.add('x', {});
      await redis.kill();
      await expect.poll(() => lines.filter((l) => l.level === 'warn').length, { timeout: 15_000 }).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const warnings = lines.filter((l) => l.level === 'warn');
      // One warning per client (queue connection, queue, dead queue), not one per reconnect attempt.
      expect(warnings.length).toBeLessThanOrEqual(3);
      expect(lines.filter((l) => l.level === 'debug').length).toBeGreaterThan(0);
    } finally {
      await redis.kill();
      await Promise.race([queue.close().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 3000))]);
      connection.disconnect();
    }
  }, 40_000);
});
