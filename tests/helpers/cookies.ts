// A cookie jar for tests that sign in over plain HTTP (fetch), as a browser would keep one.

/** The name=value pairs of a response's Set-Cookie headers (an expired or empty one means "deleted"). */
export function setCookies(res: Response): Map<string, string> {
  const jar = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    jar.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  return jar;
}

/** A Cookie header from a jar, leaving out deleted (empty) cookies. */
export const cookieHeader = (jar: Map<string, string>) =>
  [...jar]
    .filter(([, v]) => v)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');
