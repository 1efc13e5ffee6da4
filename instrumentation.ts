// Next's instrumentation hook. onRequestError sees a page's or route's error before Next answers
// 500: when a dependency was down (the database restarting), server/http.ts answers 503 instead.
import { isUnavailableError } from '@/lib/errors';
import { markUnavailable } from '@/lib/http/unavailable-requests';

export function register() {}

export function onRequestError(error: unknown, request: { headers: Record<string, string | string[] | undefined> }) {
  const id = request.headers['x-request-id'];
  if (isUnavailableError(error)) markUnavailable(typeof id === 'string' ? id : undefined);
}
