// Idempotency-Key for submissions, with Stripe's semantics: the first request with a key is
// processed and its answer (status and exact body) stored; a retry with the same key and the same
// request gets that answer again without ingesting again; the same key with another request is
// refused (422); a retry while the first is still running is told so (409). Keys belong to one
// user and live 24 hours. Stored in PostgreSQL (embedded too), so every node sees them.
//
// The key is claimed and its answer stored inside the ingest's own transaction (the hooks of
// idempotentIngest): the batch and its answer commit together or not at all. A request that dies
// half-way (its node, or PostgreSQL restarting) leaves nothing behind: its retry runs for real at
// once, and a batch that did commit is never ingested twice. "Still running" is a transaction-level
// advisory lock on the key, which PostgreSQL releases with the transaction however it ends.
// Only answers to requests that were processed are stored (200); a request refused before (invalid
// body, unknown feed, rate limit) or that failed (5xx) stores nothing, so its retry runs for real.
import { createHash } from 'node:crypto';
import type { SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';

export const IDEMPOTENCY = {
  /** How long a key and its answer are kept. */
  ttlHours: 24,
  /** Keys are 1–255 printable ASCII characters (a UUID is the usual choice). */
  maxKeyLength: 255,
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

export interface StoredAnswer {
  status: number;
  body: string;
}

/** Thrown inside the ingest transaction when the key already holds an answer: the caller sends it. */
export class IdempotentReplay extends Error {
  constructor(readonly answer: StoredAnswer) {
    super('idempotent replay');
    this.name = 'IdempotentReplay';
  }
}

type Lookup = { kind: 'replay'; answer: StoredAnswer } | { kind: 'mismatch' } | { kind: 'none' };

/** What the key holds for this request (an unexpired answer, another request's, or nothing yet). */
export async function findIdempotentAnswer(sql: SqlSession, ownerId: string, key: string, hash: string): Promise<Lookup> {
  const [row] = await sql.query<{ request_hash: string; status: number | null; response_body: string | null }>(
    `SELECT request_hash, status, response_body FROM idempotency_keys
      WHERE owner_id = $1::uuid AND key = $2 AND created_at >= now() - $3::interval`,
    [ownerId, key, `${IDEMPOTENCY.ttlHours} hours`],
  );
  if (!row) return { kind: 'none' };
  if (row.request_hash !== hash) return { kind: 'mismatch' };
  // A claim without an answer: left by a request that never finished (before answers were stored
  // with their batch). Nothing of it committed with an answer: it is free to run.
  if (row.status === null || row.response_body === null) return { kind: 'none' };
  return { kind: 'replay', answer: { status: row.status, body: row.response_body } };
}

/**
 * The ingest transaction's hooks for a keyed submission (lib/ingest IngestDeps.inTransaction):
 * `before` takes the key (409 while another transaction holds it; the stored answer, thrown as
 * IdempotentReplay, when one committed meanwhile; 422 for another request's key), `after` stores
 * `answerOf(result)` in the same transaction as the batch.
 */
export function idempotentIngest<R>(ownerId: string, key: string, hash: string, answerOf: (result: R) => StoredAnswer) {
  return {
    async before(tx: SqlSession): Promise<void> {
      const [lock] = await tx.query<{ locked: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`, [
        `idempotency:${ownerId}:${key}`,
      ]);
      if (!lock.locked) throw idempotencyErrors().inProgress;
      const found = await findIdempotentAnswer(tx, ownerId, key, hash);
      if (found.kind === 'mismatch') throw idempotencyErrors().mismatch;
      if (found.kind === 'replay') throw new IdempotentReplay(found.answer);
    },
    async after(tx: SqlSession, result: R): Promise<void> {
      const answer = answerOf(result);
      await tx.query(
        `INSERT INTO idempotency_keys (owner_id, key, request_hash, status, response_body, created_at, completed_at)
         VALUES ($1::uuid, $2, $3, $4, $5, now(), now())
         ON CONFLICT (owner_id, key) DO UPDATE
           SET request_hash = EXCLUDED.request_hash, status = EXCLUDED.status, response_body = EXCLUDED.response_body,
               created_at = now(), completed_at = now()`,
        [ownerId, key, hash, answer.status, answer.body],
      );
      // Now and then, forget every expired key (the table stays the size of a day's keys).
      if (Math.random() < 0.01) await tx.query(`DELETE FROM idempotency_keys WHERE created_at < now() - $1::interval`, [`${IDEMPOTENCY.ttlHours} hours`]);
    },
  };
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
