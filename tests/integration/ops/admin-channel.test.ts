// Who the admin channel accepts: the connection's peer decides, never the bind address or a header
// the client wrote. server/http.ts records the resolved client address in X-Forwarded-For first.
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { isLocalCaller, isLoopbackAddress } from '@/server/admin-channel';

const req = (remoteAddress: string, localAddress: string, headers: Record<string, string> = {}) =>
  ({ socket: { remoteAddress, localAddress }, headers }) as unknown as IncomingMessage;

describe('admin channel caller check', () => {
  it('knows loopback in every spelling', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1', '[::1]']) expect(isLoopbackAddress(a), a).toBe(true);
    for (const a of ['0.0.0.0', '10.0.0.1', '::', 'localhost', '', undefined]) expect(isLoopbackAddress(a), String(a)).toBe(false);
  });

  it('accepts a loopback peer on a server bound to 0.0.0.0 (the default HOST)', () => {
    expect(isLocalCaller(req('::ffff:127.0.0.1', '::ffff:127.0.0.1', { 'x-forwarded-for': '127.0.0.1' }))).toBe(true);
    expect(isLocalCaller(req('127.0.0.1', '127.0.0.1'))).toBe(true);
  });

  it("accepts this host's own address when HOST names a LAN address, refuses other machines", () => {
    expect(isLocalCaller(req('10.0.0.5', '10.0.0.5', { 'x-forwarded-for': '10.0.0.5' }))).toBe(true);
    expect(isLocalCaller(req('10.0.0.6', '10.0.0.5', { 'x-forwarded-for': '10.0.0.6' }))).toBe(false);
    expect(isLocalCaller(req('203.0.113.9', '0.0.0.0'))).toBe(false);
  });

  it('refuses a remote client forwarded by a trusted local proxy', () => {
    // With TRUST_PROXY, server/http.ts resolved the client (rightmost untrusted hop) into X-Forwarded-For.
    expect(isLocalCaller(req('127.0.0.1', '127.0.0.1', { 'x-forwarded-for': '203.0.113.9' }))).toBe(false);
    expect(isLocalCaller(req('127.0.0.1', '127.0.0.1', { forwarded: 'for=203.0.113.9' }))).toBe(false);
  });
});
