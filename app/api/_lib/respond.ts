// HTTP edge helpers: AppError → `{ error: { code, message } }` in one place; a dependency that is
// down → 503 `unavailable` with Retry-After; anything else is a logged 500 with the request id,
// never a stack trace.
import { NextResponse } from 'next/server';
import { isAbortedRequestError, isAppError, isUnavailableError, UNAVAILABLE_RETRY_AFTER_SECONDS, unavailableError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

export function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return NextResponse.json({ error: { code, message, ...extra } }, { status, headers });
}

export function errorResponse(error: unknown, req: Request): NextResponse {
  const requestId = req.headers.get('x-request-id') ?? undefined;
  if (isAppError(error) && error.code !== 'unavailable') {
    return NextResponse.json(error.toJSON(), { status: error.status });
  }
  if (isUnavailableError(error)) {
    getRuntime().logger.warn({ err: error, requestId, path: new URL(req.url).pathname }, 'dependency unavailable');
    return NextResponse.json(unavailableError().toJSON(), {
      status: 503,
      headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS), 'cache-control': 'no-store' },
    });
  }
  if (isAbortedRequestError(error)) {
    // The client is gone (or already has its 413): this answer reaches no one.
    getRuntime().logger.debug({ requestId, path: new URL(req.url).pathname }, 'request body cut off');
    return jsonError(400, 'request_aborted', 'the request body was cut off before it was complete');
  }
  getRuntime().logger.error({ err: error, requestId, path: new URL(req.url).pathname }, 'unhandled API error');
  return jsonError(500, 'internal', 'internal error; the request id identifies it in the server logs', { requestId });
}
