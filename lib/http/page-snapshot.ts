// Rendered pages kept as snapshots and served to every request of an interval (server/page-snapshots.ts).
//
// A page carries a CSP nonce that must be new in every response (lib/csp.ts). A snapshot keeps the
// HTML cut at each occurrence of the nonce it was rendered with (128 random bits, never sent to
// anyone, so no stored value can contain it) and each response splices in a fresh one: the same
// guarantee as a render per request, without the render. The gzip form is precomputed once per
// snapshot the same way: every segment is an independent raw-deflate stream ending on a sync flush
// (byte-aligned, not final), the nonce goes in as a stored block, and only the CRC-32 is computed
// per response.
import { createHash } from 'node:crypto';
import { constants, crc32, deflateRawSync } from 'node:zlib';

const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** An empty final block (fixed Huffman, end-of-block). */
const DEFLATE_END = Buffer.from([0x03, 0x00]);

export interface SnapshotBody {
  /** The body without nonces: segments[i], nonce, segments[i+1], … */
  segments: Buffer[];
  /** Raw-deflate of each segment (sync-flushed), for the gzip form. */
  deflated: Buffer[];
  /** Length of the nonce spliced between segments (0 when the body has none). */
  nonceLength: number;
  /** Strong validator of the content (nonces excluded): the ETag is weak, as the nonce differs. */
  hash: string;
}

/** Cuts `body` at every occurrence of `nonce` (none given, or absent: one segment). */
export function prepareSnapshotBody(body: Buffer, nonce: string | null): SnapshotBody {
  const segments: Buffer[] = [];
  if (nonce) {
    const needle = Buffer.from(nonce);
    let from = 0;
    for (let at = body.indexOf(needle, from); at !== -1; at = body.indexOf(needle, from)) {
      segments.push(body.subarray(from, at));
      from = at + needle.length;
    }
    segments.push(body.subarray(from));
  } else {
    segments.push(body);
  }
  const hash = createHash('sha256');
  for (const s of segments) hash.update(s).update('\u0000');
  return {
    segments,
    deflated: segments.map((s) => (s.length ? deflateRawSync(s, { finishFlush: constants.Z_SYNC_FLUSH, level: 6 }) : Buffer.alloc(0))),
    nonceLength: segments.length > 1 ? Buffer.byteLength(nonce!) : 0,
    hash: hash.digest('base64url').slice(0, 27),
  };
}

function checkNonce(body: SnapshotBody, nonce: string): Buffer {
  const bytes = Buffer.from(nonce);
  if (body.segments.length > 1 && bytes.length !== body.nonceLength) throw new Error('nonce length differs from the snapshot’s');
  return bytes;
}

/** The identity body with `nonce` spliced in. */
export function assembleSnapshot(body: SnapshotBody, nonce: string): Buffer {
  if (body.segments.length === 1) return body.segments[0];
  const bytes = checkNonce(body, nonce);
  const parts: Buffer[] = [];
  body.segments.forEach((s, i) => {
    if (i) parts.push(bytes);
    parts.push(s);
  });
  return Buffer.concat(parts);
}

/** The gzip body with `nonce` spliced in (a stored block), equal once inflated to assembleSnapshot's. */
export function assembleSnapshotGzip(body: SnapshotBody, nonce: string): Buffer {
  const bytes = checkNonce(body, nonce);
  const stored = Buffer.alloc(5 + bytes.length);
  stored[0] = 0x00; // BFINAL 0, BTYPE 00 (stored), padded to the byte
  stored.writeUInt16LE(bytes.length, 1);
  stored.writeUInt16LE(~bytes.length & 0xffff, 3);
  bytes.copy(stored, 5);
  const parts: Buffer[] = [GZIP_HEADER];
  let crc = 0;
  let size = 0;
  body.segments.forEach((s, i) => {
    if (i) {
      parts.push(stored);
      crc = crc32(bytes, crc);
      size += bytes.length;
    }
    parts.push(body.deflated[i]);
    crc = crc32(s, crc);
    size += s.length;
  });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  parts.push(DEFLATE_END, trailer);
  return Buffer.concat(parts);
}

/** Whether an Accept-Encoding header accepts gzip (q=0 refuses it). */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  for (const part of value.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding.trim() !== 'gzip' && coding.trim() !== '*') continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  }
  return false;
}

/** Whether If-None-Match names `etag` (weak comparison, as RFC 9110 wants for GET). */
export function etagMatches(header: string | string[] | undefined, etag: string): boolean {
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return false;
  if (value.trim() === '*') return true;
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  const wanted = bare(etag);
  return value.split(',').some((t) => bare(t) === wanted);
}
