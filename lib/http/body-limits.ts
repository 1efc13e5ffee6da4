// How many bytes a request body may have, by route, enforced once in server/http.ts (by
// Content-Length, and by counting the bytes that arrive when there is none). Route handlers may
// bound tighter (feeds: 64 KB). Next's own server-action limit is 1 MB: ours stays below it, so a
// large action body gets our 413 rather than Next's 500.
import { INGEST_LIMITS } from '../ingest/schemas';

export const BODY_LIMITS = {
  /** POST /api/v1/feeds/{slug}/indicators. */
  submission: INGEST_LIMITS.maxBodyBytes,
  /** Server actions (the sign-up and dashboard forms send a few hundred bytes). */
  serverAction: 128 * 1024,
  /** Everything else: next-auth, the Stripe webhook, other routes. */
  default: 1024 * 1024,
} as const;

const SUBMISSION_RE = /^\/api\/v1\/feeds\/[^/]+\/indicators\/?$/;

export function bodyLimitFor(path: string, isServerAction: boolean): number {
  if (isServerAction) return BODY_LIMITS.serverAction;
  if (SUBMISSION_RE.test(path)) return BODY_LIMITS.submission;
  return BODY_LIMITS.default;
}
