// Reads a request body up to a byte limit, refusing early (by Content-Length) or as soon as the
// stream passes the limit, so a 10 MB body is never buffered whole.
import { AppError } from '../errors';
import { findUnstorableText } from './parse-input';

export function bodyTooLarge(maxBytes: number): AppError {
  const mb = maxBytes / (1024 * 1024);
  return new AppError(
    'body_too_large',
    `the request body is larger than ${mb >= 1 ? `${mb} MB` : `${maxBytes} bytes`}; split it into several requests`,
    413,
    { maxBytes },
  );
}

export async function readBodyWithLimit(
  body: ReadableStream<Uint8Array> | null,
  contentLength: string | null,
  maxBytes: number,
): Promise<Uint8Array> {
  if (contentLength !== null && /^\d+$/.test(contentLength) && Number(contentLength) > maxBytes) throw bodyTooLarge(maxBytes);
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw bodyTooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Decodes a small JSON request body (feeds and the like): 415 for another media type, 400 for bad JSON. */
export function parseJsonBody(contentType: string | null, body: Uint8Array): unknown {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    throw new AppError('unsupported_media_type', 'send Content-Type: application/json', 415);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new AppError('invalid_utf8', 'the request body is not valid UTF-8', 400);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const problem = error instanceof Error ? error.message : 'syntax error';
    throw new AppError('invalid_json', `the request body is not valid JSON: ${problem.slice(0, 200)}`, 400);
  }
  // Refused here for every route at once: PostgreSQL can store neither in text or jsonb.
  const unstorable = findUnstorableText(value);
  if (unstorable) throw new AppError('invalid_request', `${unstorable}: text may not contain a NUL character or an unpaired surrogate (\\u0000, \\ud800)`, 400);
  return value;
}
