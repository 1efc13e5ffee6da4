// Reads a request body up to a byte limit, refusing early (by Content-Length) or as soon as the
// stream passes the limit, so a 10 MB body is never buffered whole.
import { AppError } from '../errors';

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
