// The first check of every request, before any router sees it: the path and each query value must
// decode (percent-encoding well formed, valid UTF-8) to text PostgreSQL can hold (no NUL). Routers
// below (Next, the route handlers, zod schemas) then only ever see well-formed text.

/** Why the request target is refused, or null when it is fine. */
export function requestTargetProblem(rawUrl: string): string | null {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = q < 0 ? '' : rawUrl.slice(q + 1);
  const pathProblem = textProblem(path, 'the path');
  if (pathProblem) return pathProblem;
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    const problem = textProblem(name.replaceAll('+', ' '), 'a query parameter name') ?? (eq < 0 ? null : textProblem(pair.slice(eq + 1).replaceAll('+', ' '), `the query parameter "${safeName(name)}"`));
    if (problem) return problem;
  }
  return null;
}

function textProblem(encoded: string, what: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return `${what} is not valid percent-encoded UTF-8`;
  }
  if (decoded.includes('\u0000')) return `${what} contains a NUL character`;
  return null;
}

function safeName(name: string): string {
  try {
    return decodeURIComponent(name).replace(/[^\w.-]/g, '?').slice(0, 40);
  } catch {
    return '?';
  }
}

/** Decoded path of a request target, or null when it does not decode. */
export function decodedPath(rawUrl: string): string | null {
  const q = rawUrl.indexOf('?');
  try {
    return decodeURIComponent(q < 0 ? rawUrl : rawUrl.slice(0, q));
  } catch {
    return null;
  }
}
