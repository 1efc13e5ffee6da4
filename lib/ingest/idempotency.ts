// Idempotency-Key for submissions, with Stripe's semantics: the first request with a key is
// processed and its answer (status and exact body) stored; a retry with the same key and the same
// request gets that answer again without ingesting again; the same key with another request is
// refused (422); a retry while the first is still running is told so (409). Keys belong to one
// user and live 24 hours. Stored in PostgreSQL (embedded too), so every node sees them.
//
// Only answers to requests that were processed are stored (200, and the 4xx that processing
// decides); a request refused before (invalid body, unknown feed, rate limit) or that failed
// (5xx) releases its key, so the client's retry runs for real.
import { createHash } from 'node:crypto';
import type { SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';

export const IDEMPOTENCY = {
  /** How long a key and its answer are kept. */
  ttlHours: 24,
  /** Keys are 1–255 printable ASCII characters (a UUID is the usual choice). */
  maxKeyLength: 255,
  /**
   * A key whose first request never finished (its process died) is taken over after this long;
   * the first request cannot still be running by then (a submission takes seconds).
   */
  abandonedAfterMs: 120_000,
} as const;

const KEY_RE = /^[\x21-\x7e]{1,255}$/;

/** The header's value, validated; null when the request carries none. */
export function parseIdempotencyKey(header: string | null): string | null {
  if (header === null) return null;
  const key = header.trim();
  if (!KEY_RE.test(key)) {
    throw new AppError('invalid_idempotency_key', `Idempotency-Key must be 1–${IDEMPOTENCY.maxKeyLength} printable ASCII characters without spaces`, 400);
  }
  return key;
}

/** Hash of what makes two requests "the same": route, media type, query and body bytes. */
export function requestHash(parts: { route: string; contentType: string | null; query: string; body: Uint8Array }): string {
  const hash = createHash('sha256');
  hash.update(`${parts.route}\n${(parts.contentType ?? '').trim().toLowerCase()}\n${parts.query}\n`);
  hash.update(parts.body);
  return hash.digest('hex');
}

export type IdempotencyClaim =
  | { kind: 'claimed' }
  | { kind: 'replay'; status: number; body: string }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

/** Claims `key` for this request, or says what the earlier request with this key became. */
export async function claimIdempotencyKey(sql: SqlSession, ownerId: string, key: string, hash: string): Promise<IdempotencyClaim> {
  const ttl = `${IDEMPOTENCY.ttlHours} hours`;
  // An expired key is free again; an abandoned claim of the same request can be taken over.
  const claimed = await sql.query(
    `INSERT INTO idempotency_keys AS k (owner_id, key, request_hash) VALUES ($1::uuid, $2, $3)
     ON CONFLICT (owner_id, key) DO UPDATE
       SET request_hash = EXCLUDED.request_hash, status = NULL, response_body = NULL, created_at = now(), completed_at = NULL
       WHERE k.created_at < now() - $4::interval
          OR (k.status IS NULL AND k.request_hash = EXCLUDED.request_hash AND k.created_at < now() - $5 * interval '1 millisecond')
     RETURNING key`,
    [ownerId, key, hash, ttl, IDEMPOTENCY.abandonedAfterMs],
  );
  if (claimed.length) {
    // Now and then, forget every expired key (the table stays the size of a day's keys).
    if (Math.random() < 0.01) await sql.query(`DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`, [ttl]);
    return { kind: 'claimed' };
  }
  const [row] = await sql.query<{ request_hash: string; status: number | null; response_body: string | null }>(
    `SELECT request_hash, status, response_body FROM idempotency_keys WHERE owner_id = $1::uuid AND key = $2`,
    [ownerId, key],
  );
  // Released between our insert and this read: the client may simply retry.
  if (!row) return { kind: 'in_progress' };
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  if (row.status === null || row.response_body === null) return { kind: 'in_progress' };
  return { kind: 'replay', status: row.status, body: row.response_body };
}

/** Stores the answer to a claimed key. */
export async function completeIdempotencyKey(sql: SqlSession, ownerId: string, key: string, status: number, body: string): Promise<void> {
  await sql.query(
    `UPDATE idempotency_keys SET status = $3, response_body = $4, completed_at = now() WHERE owner_id = $1::uuid AND key = $2`,
    [ownerId, key, status, body],
  );
}

/** Gives a claimed key back (the request was refused before processing, or failed). */
export async function releaseIdempotencyKey(sql: SqlSession, ownerId: string, key: string): Promise<void> {
  await sql.query(`DELETE FROM idempotency_keys WHERE owner_id = $1::uuid AND key = $2 AND status IS NULL`, [ownerId, key]);
}

export function idempotencyErrors() {
  return {
    mismatch: new AppError(
      'idempotency_key_reused',
      'this Idempotency-Key was used for a different request (other feed, query or body) in the last 24 hours; use a new key',
      422,
    ),
    inProgress: new AppError('idempotency_key_in_progress', 'a request with this Idempotency-Key is still being processed; retry shortly', 409),
  };
}
