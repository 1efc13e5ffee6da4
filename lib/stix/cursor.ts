// Opaque paging cursors over the projection: base64url JSON naming the last `seq` returned (a
// keyset, never an offset: objects added meanwhile come after it, none is skipped or repeated).
import { AppError } from '../errors';

const MAX_BIGINT = 9223372036854775807n;

export function encodeStixCursor(seq: string): string {
  return Buffer.from(JSON.stringify({ v: 1, seq })).toString('base64url');
}

/** The seq after which to continue, or throws 400 `invalid_cursor` (the caller maps it to its error shape). */
export function decodeStixCursor(cursor: string): string {
  try {
    if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) throw new Error('not base64url');
    const data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { v?: unknown; seq?: unknown };
    if (data.v !== 1 || typeof data.seq !== 'string' || !/^-?\d{1,19}$/.test(data.seq)) throw new Error('bad shape');
    const seq = BigInt(data.seq);
    if (seq > MAX_BIGINT || seq < -2n) throw new Error('out of range');
    return data.seq;
  } catch {
    throw new AppError('invalid_cursor', 'the cursor is not one this server returned; start again without it', 400);
  }
}
