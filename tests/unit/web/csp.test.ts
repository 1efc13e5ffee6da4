// The per-request Content-Security-Policy (proxy.ts): nonce-based scripts, only the site's own
// socket origin, and nothing from a hostile Host header.
import { describe, expect, it } from 'vitest';
import { buildContentSecurityPolicy, createNonce } from '@/lib/csp';

const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));

describe('buildContentSecurityPolicy', () => {
  it('allows scripts by nonce only, and connections to the site itself', () => {
    const csp = buildContentSecurityPolicy({ nonce: 'abc123==', host: 'sluice.example.com', secure: true });
    expect(directive(csp, 'script-src')).toBe("script-src 'self' 'nonce-abc123==' 'strict-dynamic'");
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' wss://sluice.example.com");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).not.toMatch(/ ws: | wss: |ws:;|wss:;/);
    for (const d of ["object-src 'none'", "base-uri 'self'", "frame-ancestors 'none'", "form-action 'self'"]) expect(csp).toContain(d);
  });

  it('ws: over http, with the port; eval only in development', () => {
    const csp = buildContentSecurityPolicy({ nonce: 'n', host: '127.0.0.1:3000', dev: true });
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' ws://127.0.0.1:3000");
    expect(directive(csp, 'script-src')).toContain("'unsafe-eval'");
    expect(directive(buildContentSecurityPolicy({ nonce: 'n', host: '[::1]:80' }), 'connect-src')).toBe("connect-src 'self' ws://[::1]:80");
  });

  it('a malformed Host adds nothing', () => {
    for (const host of ['evil.example; script-src *', "a.com 'unsafe-inline'", '*', 'a.com/x', '', null, 'ws://a.com']) {
      expect(directive(buildContentSecurityPolicy({ nonce: 'n', host }), 'connect-src')).toBe("connect-src 'self'");
    }
  });

  it('nonces are fresh, 128-bit, base64', () => {
    const nonces = new Set(Array.from({ length: 100 }, createNonce));
    expect(nonces.size).toBe(100);
    for (const n of nonces) expect(n).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
