// The /public namespace's per-address limit counts the real client: behind a trusted proxy the
// rightmost X-Forwarded-For hop that is not a proxy, never the leftmost one a client can write;
// without TRUST_PROXY the header is ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import { startGatewayHarness, type GatewayHarness } from '../../helpers/gateway-harness';

const LIMIT = 3;

function open(url: string, forwardedFor?: string): Socket {
  return io(`${url}/public`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    extraHeaders: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {},
  });
}

/** 'ok' once connected, else the refusal code. */
function outcome(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('ok'));
    socket.once('connect_error', (error) => resolve((error as Error & { data?: { code: string } }).data?.code ?? error.message));
  });
}

const sockets: Socket[] = [];
async function attempt(url: string, forwardedFor?: string) {
  const socket = open(url, forwardedFor);
  sockets.push(socket);
  return outcome(socket);
}
afterAll(() => {
  for (const s of sockets) s.disconnect();
});

describe('behind a trusted proxy (TRUST_PROXY=true)', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ publicConnectionsPerIp: LIMIT }, { TRUST_PROXY: 'true' });
  });
  afterAll(async () => h?.close());

  it('counts the rightmost untrusted hop, whatever the client wrote on the left', async () => {
    for (let i = 0; i < LIMIT; i += 1) expect(await attempt(h.url, `10.9.9.${i}, 198.51.100.7`)).toBe('ok');
    // Same client, a different spoofed leftmost entry: still the same address.
    expect(await attempt(h.url, '1.2.3.4, 198.51.100.7')).toBe('rate_limited');
    expect(await attempt(h.url, '198.51.100.7')).toBe('rate_limited');
    // Another client behind the same proxy has its own allowance.
    expect(await attempt(h.url, '6.6.6.6, 198.51.100.8')).toBe('ok');
    // IPv6 clients share an allowance per /64.
    for (let i = 0; i < LIMIT; i += 1) expect(await attempt(h.url, `2001:db8:1:2::${i + 1}`)).toBe('ok');
    expect(await attempt(h.url, '2001:db8:1:2:ffff::9')).toBe('rate_limited');
    expect(await attempt(h.url, '2001:db8:1:3::1')).toBe('ok');
  });

  it('frees the allowance when the client disconnects', async () => {
    const held = Array.from({ length: LIMIT }, () => open(h.url, '203.0.113.50'));
    sockets.push(...held);
    expect(await Promise.all(held.map(outcome))).toEqual(Array(LIMIT).fill('ok'));
    expect(await attempt(h.url, '203.0.113.50')).toBe('rate_limited');
    held[0].disconnect();
    let result = '';
    for (let i = 0; i < 50 && result !== 'ok'; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      result = await attempt(h.url, '203.0.113.50');
    }
    expect(result).toBe('ok');
  });
});

describe('without TRUST_PROXY', () => {
  let h: GatewayHarness;
  beforeAll(async () => {
    h = await startGatewayHarness({ publicConnectionsPerIp: LIMIT });
  });
  afterAll(async () => h?.close());

  it('ignores X-Forwarded-For: the socket’s address is the client', async () => {
    for (let i = 0; i < LIMIT; i += 1) expect(await attempt(h.url, `198.51.100.${i + 1}`)).toBe('ok');
    expect(await attempt(h.url, '198.51.100.200')).toBe('rate_limited');
    expect(await attempt(h.url)).toBe('rate_limited');
  });
});
