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

/** next-auth's callback-url cookie: plain, or with the __Secure- prefix on https. */
const AUTH_CALLBACK_COOKIE_RE = /^(?:__Secure-)?next-auth\.callback-url$/;

/**
 * A callbackUrl fit for next-auth: the same-origin path `value` leads to, or null. next-auth throws
 * (a 500, on every request that carries it) for one that is neither an absolute http(s) URL nor a
 * path, from the query, the body or its cookie; it is given a safe path or nothing.
 */
export function authCallbackUrl(value: string, origin: string): string | null {
  return safeRedirectPath(value, origin, '') || null;
}

/**
 * The Cookie header without a next-auth callback-url cookie next-auth would throw on (a browser can
 * hold one set by anyone who could set cookies for the site), and the names dropped.
 *
 * next-auth writes this cookie itself, as an absolute URL on the base URL it was given, which need
 * not be the origin this request names (127.0.0.1 vs localhost, a proxy in front); its redirect
 * callback turns an absolute URL on any other origin into that base URL, so such a value is kept.
 * Dropping one that next-auth set is not free: the deletion's Set-Cookie on a server action's
 * answer makes the router re-render the page (a used reset link then reads "does not work").
 */
export function withoutBadAuthCallbackCookie(cookieHeader: string | null, origin: string): { header: string | null; dropped: string[] } {
  if (!cookieHeader || !cookieHeader.includes('callback-url')) return { header: cookieHeader, dropped: [] };
  const dropped: string[] = [];
  const kept = cookieHeader.split(';').filter((pair) => {
    const eq = pair.indexOf('=');
    const name = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    if (!AUTH_CALLBACK_COOKIE_RE.test(name)) return true;
    let value: string;
    try {
      value = decodeURIComponent(eq < 0 ? '' : pair.slice(eq + 1).trim().replace(/^"|"$/g, ''));
    } catch {
      dropped.push(name);
      return false;
    }
    if (value === '' || isAbsoluteHttpUrl(value) || authCallbackUrl(value, origin) === value) return true;
    // 'foo' (next-auth throws) or a path that leads elsewhere once resolved ('//evil.example').
    dropped.push(name);
    return false;
  });
  return { header: kept.length ? kept.join(';').trim() : null, dropped };
}

/** An absolute http(s) URL with a host: what next-auth's redirect callback parses without throwing. */
function isAbsoluteHttpUrl(value: string): boolean {
  if (!/^https?:\/\//i.test(value)) return false;
  try {
    return new URL(value).host !== '';
  } catch {
    return false;
  }
}
