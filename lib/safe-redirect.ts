// Where to send a browser after signing in or up: a path on this site, never anywhere else.
// The value is resolved exactly as a browser would resolve it (WHATWG URL: tabs and newlines
// dropped, backslashes read as slashes, `.`/`..` collapsed), then kept only if it stays on `origin`.
// A prefix check on the raw string is not enough: `/\evil.example` and `/%09/evil.example` (a tab
// once decoded) start with one slash, yet browsers read them as `//evil.example`.

/**
 * The same-origin path (pathname + search + hash) that `value` leads to from `origin`, or
 * `fallback` when it leads anywhere else, is missing or does not parse.
 */
export function safeRedirectPath(value: string | null | undefined, origin: string, fallback = '/dashboard'): string {
  if (!value) return fallback;
  let base: URL;
  let target: URL;
  try {
    base = new URL(origin);
    target = new URL(value, base);
  } catch {
    return fallback;
  }
  if (target.origin !== base.origin || (target.protocol !== 'http:' && target.protocol !== 'https:')) return fallback;
  const path = `${target.pathname}${target.search}${target.hash}`;
  // `/.//evil.example` resolves to the pathname `//evil.example` on our origin, which a router or
  // a Location header would read as another host: refuse any path that does not start with one slash.
  if (!path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) return fallback;
  return path;
}
