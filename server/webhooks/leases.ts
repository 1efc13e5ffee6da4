// The SQL of webhook leases: a worker node claims endpoints (unleased or whose lease lapsed) and
// renews its own in one statement; every write a runner makes is fenced by its lease and by the
// cursor generation (a replay bumps it), so a node that lost an endpoint cannot move its cursor.
import type { SqlDriver } from '../../lib/db/sql-driver';
import { WEBHOOK_COLUMNS, type WebhookRow } from '../../lib/webhooks/views';

/** Claims up to `limit` endpoints for `owner` (renewing those it holds) and returns them. */
export function claimWebhooks(sql: SqlDriver, owner: string, leaseSeconds: number, limit: number): Promise<WebhookRow[]> {
  return sql.query<WebhookRow>(
    `UPDATE webhooks SET lease_owner = $1, lease_until = now() + make_interval(secs => $2::double precision)
      WHERE id IN (SELECT id FROM webhooks
                    WHERE lease_owner = $1 OR lease_owner IS NULL OR lease_until < now()
                    ORDER BY created_at, id LIMIT $3 FOR UPDATE SKIP LOCKED)
      RETURNING ${WEBHOOK_COLUMNS}`,
    [owner, leaseSeconds, limit],
  );
}

/** Gives every endpoint `owner` holds back at once (graceful stop): another node takes them now. */
export async function releaseWebhooks(sql: SqlDriver, owner: string): Promise<void> {
  await sql.query(`UPDATE webhooks SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1`, [owner]);
}

/** The row if `owner` still holds it, else null (deleted, or another node took it over). */
export async function getLeasedWebhook(sql: SqlDriver, id: string, owner: string): Promise<WebhookRow | null> {
  const [row] = await sql.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1 AND lease_owner = $2`, [id, owner]);
  return row ?? null;
}

export interface Fence {
  id: string;
  owner: string;
  generation: number;
}

/**
 * `UPDATE webhooks SET <assignments>` for the fenced row; `params` continue after $3. Returns the
 * updated row, or null when the fence did not hold (lease lost, row deleted, cursor replayed).
 */
export async function updateFenced(sql: SqlDriver, fence: Fence, assignments: string, params: unknown[] = []): Promise<WebhookRow | null> {
  const [row] = await sql.query<WebhookRow>(
    `UPDATE webhooks SET ${assignments}, updated_at = now()
      WHERE id = $1 AND lease_owner = $2 AND cursor_generation = $3 RETURNING ${WEBHOOK_COLUMNS}`,
    [fence.id, fence.owner, fence.generation, ...params],
  );
  return row ?? null;
}

/** Most dead letters kept per endpoint (the oldest go first). */
export const DEAD_LETTERS_KEPT = 100;

/**
 * Dead-letters a batch and moves the cursor past it in one statement (fenced), pausing the endpoint
 * when `pause` holds. Returns the updated row, or null when the fence did not hold.
 */
export async function deadLetterBatch(
  sql: SqlDriver,
  fence: Fence,
  batch: { fromCursor: string | null; firstCursor: string; lastCursor: string; nextCursor: string; events: number; payload: string },
  failure: { attempts: number; error: string; status: number | null },
  pauseAfter: number,
): Promise<WebhookRow | null> {
  const [row] = await sql.query<WebhookRow>(
    `WITH updated AS (
       UPDATE webhooks SET cursor = $4, attempts = 0, next_attempt_at = NULL,
              consecutive_dead_letters = consecutive_dead_letters + 1,
              state = CASE WHEN consecutive_dead_letters + 1 >= $12 THEN 'paused' ELSE state END,
              paused_reason = CASE WHEN consecutive_dead_letters + 1 >= $12 THEN 'failing' ELSE paused_reason END,
              last_attempt_at = now(), last_error = $10, last_error_at = now(), last_status = $11, updated_at = now()
        WHERE id = $1 AND lease_owner = $2 AND cursor_generation = $3
        RETURNING ${WEBHOOK_COLUMNS}),
     letter AS (
       INSERT INTO webhook_dead_letters (webhook_id, from_cursor, first_cursor, last_cursor, event_count, payload, attempts, last_error, last_status)
       SELECT id, $5, $6, $7, $8, $9, $13, $10, $11 FROM updated RETURNING id)
     SELECT * FROM updated`,
    [fence.id, fence.owner, fence.generation, batch.nextCursor, batch.fromCursor, batch.firstCursor, batch.lastCursor, batch.events, batch.payload, failure.error, failure.status, pauseAfter, failure.attempts],
  );
  if (row) {
    await sql.query(
      `DELETE FROM webhook_dead_letters WHERE webhook_id = $1 AND id < (SELECT min(id) FROM (SELECT id FROM webhook_dead_letters WHERE webhook_id = $1 ORDER BY id DESC LIMIT $2) AS kept)`,
      [fence.id, DEAD_LETTERS_KEPT],
    );
  }
  return row ?? null;
}
