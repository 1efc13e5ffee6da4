// Opaque pagination cursors: base64url JSON, versioned, validated on the way back in.
import { AppError } from '../errors';

interface CursorData {
  v: 1;
  /** Last indicator id of the previous page. */
  after: string;
}

const MAX_BIGINT = 9223372036854775807n;

export function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ v: 1, after } satisfies CursorData)).toString('base64url');
}

export function decodeCursor(cursor: string): string {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error('not base64url');
    const data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<CursorData>;
    if (data.v !== 1 || typeof data.after !== 'string' || !/^\d{1,19}$/.test(data.after)) throw new Error('bad shape');
    // Indicator ids are PostgreSQL bigints: a position past the largest one is not one we gave out.
    if (BigInt(data.after) > MAX_BIGINT) throw new Error('beyond bigint');
    return data.after;
  } catch {
    throw new AppError('invalid_cursor', 'the cursor is not one this API returned; start again without it', 400);
  }
}
