// HTTP edge helpers: AppError → `{ error: { code, message } }` in one place; anything else is a
// logged 500 with the request id, never a stack trace.
import { NextResponse } from 'next/server';
import { isAppError } from '@/lib/errors';
import { getRuntime } from '@/lib/runtime';

export function jsonError(status: number, code: string, message: string, extra: Record<string, unknown> = {}, headers?: HeadersInit) {
  return NextResponse.json({ error: { code, message, ...extra } }, { status, headers });
}

export function errorResponse(error: unknown, req: Request): NextResponse {
  if (isAppError(error)) {
    return NextResponse.json(error.toJSON(), { status: error.status });
  }
  const requestId = req.headers.get('x-request-id') ?? undefined;
  getRuntime().logger.error({ err: error, requestId, path: new URL(req.url).pathname }, 'unhandled API error');
  return jsonError(500, 'internal', 'internal error; the request id identifies it in the server logs', { requestId });
}
