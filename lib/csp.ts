// The Content-Security-Policy of every page (set per request by proxy.ts). Indicator values are
// attacker-controlled: even if one ever escaped React's escaping, no script without this request's
// nonce runs ('strict-dynamic': only scripts those nonced scripts load), and nothing is fetched
// from or sent to another host. Styles keep 'unsafe-inline' (style attributes; no script risk).

export interface CspOptions {
  /** Fresh per request, base64. */
  nonce: string;
  /** The Host the page was requested on (its own websocket origin is allowed), if well-formed. */
  host?: string | null;
  /** Whether the page was requested over https (then wss:, else ws:). */
  secure?: boolean;
  /** Next's dev server needs eval for its fast refresh. */
  dev?: boolean;
}

const HOST_RE = /^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i;

export function buildContentSecurityPolicy({ nonce, host, secure = false, dev = false }: CspOptions): string {
  // 'self' covers the site's own ws:/wss: origin in CSP Level 3 browsers; the explicit origin is for
  // the others. A malformed Host header adds nothing.
  const socket = host && HOST_RE.test(host) ? ` ${secure ? 'wss' : 'ws'}://${host.toLowerCase()}` : '';
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${socket}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A fresh nonce: 128 random bits, base64. */
export function createNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
