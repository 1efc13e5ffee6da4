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

/**
 * Signs in as the sign-in form does (next-auth's credentials callback, json=true) from `ip` (the
 * node must trust X-Forwarded-For from loopback: TRUST_PROXY=loopback). `cookie` is null when refused.
 */
export async function signInOverHttp(baseUrl: string, credentials: { email: string; password: string }, ip: string): Promise<{ error: string | null; cookie: string | null }> {
  const csrf = await fetch(`${baseUrl}/api/auth/csrf`, { headers: { 'x-forwarded-for': ip } });
  const jar = setCookies(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${baseUrl}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(jar), 'x-forwarded-for': ip },
    body: new URLSearchParams({ ...credentials, csrfToken, json: 'true', callbackUrl: `${baseUrl}/dashboard` }),
  });
  const body = (await res.json()) as { url: string };
  for (const [k, v] of setCookies(res)) jar.set(k, v);
  const session = [...jar].find(([k]) => k.endsWith('next-auth.session-token'));
  return { error: new URL(body.url).searchParams.get('error'), cookie: session && session[1] ? cookieHeader(jar) : null };
}
