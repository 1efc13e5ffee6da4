// server/http.ts records the one client address as X-Forwarded-For before pages and route handlers see
// it: a client cannot choose the address its per-IP limits count under, with or without a proxy.
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '@/lib/config';
import type { Runtime } from '@/lib/runtime';
import { createHttpServer } from '@/server/http';

const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function recordedAddress(trustProxy: string, forwardedFor?: string): Promise<string> {
  const runtime = { config: parseConfig({ TRUST_PROXY: trustProxy }), roles: ['web'], logger: pino({ level: 'silent' }) } as unknown as Runtime;
  const { server, setWebHandler } = createHttpServer(runtime);
  setWebHandler((req, res) => void res.end(String(req.headers['x-forwarded-for'])));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const { port } = server.address() as AddressInfo;
  const res = await fetch(`http://127.0.0.1:${port}/anything`, { headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
  return res.text();
}

describe('server/http.ts and the client address', () => {
  it('without TRUST_PROXY replaces a spoofed X-Forwarded-For with the socket address', async () => {
    expect(await recordedAddress('false', '1.2.3.4')).toBe('127.0.0.1');
    expect(await recordedAddress('false')).toBe('127.0.0.1');
  });

  it('behind one trusted proxy keeps the hop the proxy appended, not the one the client sent', async () => {
    // The test's own connection plays the proxy (127.0.0.1); the client spoofed 1.2.3.4 before it.
    expect(await recordedAddress('true', '1.2.3.4, 198.51.100.9')).toBe('198.51.100.9');
    expect(await recordedAddress('loopback', '1.2.3.4, 198.51.100.9')).toBe('198.51.100.9');
  });

  it('does not believe the header when the socket is not a trusted proxy', async () => {
    expect(await recordedAddress('10.0.0.0/8', '1.2.3.4')).toBe('127.0.0.1');
  });
});
