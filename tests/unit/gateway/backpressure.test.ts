// What a stalled client costs the server is counted whole: the kernel's send queue as well as the
// user-space buffers (Linux: /proc/net/tcp tx_queue).
import { existsSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { KernelSendQueues } from '@/server/gateway/backpressure';

describe.skipIf(!existsSync('/proc/net/tcp'))('kernel send queues', () => {
  it('counts what the kernel holds for a client that stopped reading', async () => {
    let serverSide: net.Socket | null = null;
    const server = net.createServer((s) => (serverSide = s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    client.pause();
    while (!serverSide) await new Promise((r) => setTimeout(r, 5));
    const s = serverSide as net.Socket;
    const chunk = Buffer.alloc(64 * 1024, 120);
    const total = 16 * 1024 * 1024;
    for (let written = 0; written < total; written += chunk.length) {
      s.write(chunk);
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 300));
    const queues = new KernelSendQueues();
    await queues.sample();
    const kernel = queues.queued(s);
    const userSpace = s.writableLength;
    console.log(`stalled client: ${userSpace} bytes in user space, ${kernel} in the kernel's send queue (of ${total} written)`);
    expect(kernel).toBeGreaterThan(64 * 1024);
    // Together they account for everything the client has not read (its own small receive buffer aside).
    expect(userSpace + kernel).toBeGreaterThan(total - 1024 * 1024);
    expect(userSpace + kernel).toBeLessThanOrEqual(total);
    // Another connection's queue is not this one's.
    expect(queues.queued({ remoteAddress: '127.0.0.1', remotePort: 1, localPort: 1 })).toBe(0);
    client.destroy();
    s.destroy();
    server.close();
  });
});
