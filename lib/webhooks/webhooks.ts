// A user's webhooks: register (SSRF-checked URL, plan limit, secret shown once), list, read, pause
// and resume, replay from a cursor, ask for a test delivery, delete. Ownership is in every `where`:
// another user's webhook is a 404. Deliveries themselves run on worker nodes (server/webhooks).
import type { Config } from '../config';
import type { SqlDriver } from '../db/sql-driver';
import { checkCursor, type FirehoseLog } from '../engines/log/types';
import { AppError } from '../errors';
import { parseInput } from '../http/parse-input';
import { PLANS, type PlanId } from '../plans';
import { createWebhookSchema, replayWebhookSchema, updateWebhookSchema, webhookIdSchema } from './schemas';
import { encryptSecret, generateWebhookSecret, secretHint, webhookSecretKey } from './secret';
import { assertWebhookUrl } from './ssrf';
import { toViews, WEBHOOK_COLUMNS, type ViewDeps, type WebhookRow, type WebhookView } from './views';

export interface WebhookDeps extends ViewDeps {
  sql: SqlDriver;
  log: Pick<FirehoseLog, 'bounds'>;
  config: Pick<Config, 'WEBHOOK_ALLOW_LOOPBACK' | 'WEBHOOK_SECRET_KEY' | 'DATA_DIR'>;
}

export interface Owner {
  userId: string;
  plan: PlanId;
  /** The token registering it: deliveries follow its stream entitlement. */
  tokenId: string | null;
}

const notFound = () => new AppError('not_found', 'no such webhook', 404);

function checkId(id: string): string {
  if (!webhookIdSchema.safeParse(id).success) throw notFound();
  return id;
}

/** Registers an endpoint; the result's `secret` is the only time the signing secret is shown. */
export async function createWebhook(deps: WebhookDeps, owner: Owner, body: unknown): Promise<WebhookView & { secret: string }> {
  const input = parseInput(createWebhookSchema, body);
  const url = await assertWebhookUrl(input.url, { allowLoopback: deps.config.WEBHOOK_ALLOW_LOOPBACK });
  const limit = PLANS[owner.plan].webhooks;
  const secret = generateWebhookSecret();
  const ciphertext = encryptSecret(secret, webhookSecretKey(deps.config));
  // Deliveries start with the events after the log's head now.
  const bounds = await deps.log.bounds();
  const cursor = bounds.head ?? bounds.trimmedThrough;
  // Stored as given; the delivering worker compiles them like the gateway does (server/gateway/filters).
  const filters = input.filters ?? {};
  const row = await deps.sql.transaction(async (tx) => {
    // One registration per user at a time, so two concurrent ones cannot pass the limit together.
    if (deps.sql.kind === 'postgres') await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 7372))`, [`webhooks:${owner.userId}`]);
    const [{ n }] = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM webhooks WHERE user_id = $1`, [owner.userId]);
    if (n >= limit) {
      throw new AppError(
        'webhook_limit',
        limit === 0
          ? `the ${PLANS[owner.plan].name} plan has no webhooks: subscribe to Firehose`
          : `the ${PLANS[owner.plan].name} plan allows ${limit} webhooks; delete one first`,
        limit === 0 ? 403 : 409,
        { limit },
      );
    }
    const [created] = await tx.query<WebhookRow>(
      `INSERT INTO webhooks (user_id, token_id, url, filters, secret_ciphertext, secret_hint, cursor)
       VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7) RETURNING ${WEBHOOK_COLUMNS}`,
      [owner.userId, owner.tokenId, url.toString(), JSON.stringify(filters), ciphertext, secretHint(secret), cursor],
    );
    return created;
  });
  const [view] = await toViews(deps, [row]);
  return { ...view, secret };
}

export async function findWebhooks(deps: WebhookDeps, userId: string): Promise<WebhookView[]> {
  const rows = await deps.sql.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE user_id = $1 ORDER BY created_at, id`, [userId]);
  return toViews(deps, rows);
}

export async function getWebhookOrThrow(deps: WebhookDeps, userId: string, id: string): Promise<WebhookView> {
  const [row] = await deps.sql.query<WebhookRow>(`SELECT ${WEBHOOK_COLUMNS} FROM webhooks WHERE id = $1 AND user_id = $2`, [checkId(id), userId]);
  if (!row) throw notFound();
  const [view] = await toViews(deps, [row], { deadLetters: true });
  return view;
}

export async function deleteWebhook(deps: Pick<WebhookDeps, 'sql'>, userId: string, id: string): Promise<void> {
  const rows = await deps.sql.query(`DELETE FROM webhooks WHERE id = $1 AND user_id = $2 RETURNING id`, [checkId(id), userId]);
  if (!rows.length) throw notFound();
}

/** Pauses, or resumes from the stored cursor (a resume also clears the failure count that paused it). */
export async function setWebhookPaused(deps: WebhookDeps, userId: string, id: string, body: unknown): Promise<WebhookView> {
  const { paused } = parseInput(updateWebhookSchema, body);
  const rows = await deps.sql.query(
    paused
      ? `UPDATE webhooks SET state = 'paused', paused_reason = 'user', updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING id`
      : `UPDATE webhooks SET state = 'active', paused_reason = NULL, consecutive_dead_letters = 0, attempts = 0, next_attempt_at = NULL,
           updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING id`,
    [checkId(id), userId],
  );
  if (!rows.length) throw notFound();
  return getWebhookOrThrow(deps, userId, id);
}

/**
 * Moves the endpoint's cursor: every event after `since` is delivered again (at least once, as
 * always). The batch in flight is abandoned (the generation changes, so its result is not recorded).
 */
export async function replayWebhook(deps: WebhookDeps & { log: Pick<FirehoseLog, 'bounds'> }, userId: string, id: string, body: unknown): Promise<WebhookView> {
  const { since } = parseInput(replayWebhookSchema, body);
  checkId(id);
  const check = await checkCursor(deps.log as FirehoseLog, since);
  if (!check.ok && check.code === 'invalid_cursor') throw new AppError('invalid_cursor', 'since must be a cursor from an event of this log (e.g. "1700000000000-0")', 400, { field: 'since' });
  if (!check.ok && check.code === 'cursor_expired') {
    throw new AppError('cursor_expired', `events after ${since} are no longer retained; replay from the oldest cursor`, 410, { oldest: check.oldest });
  }
  const rows = await deps.sql.query(
    `UPDATE webhooks SET cursor = $3, cursor_generation = cursor_generation + 1, attempts = 0, next_attempt_at = NULL, updated_at = now()
      WHERE id = $1 AND user_id = $2 RETURNING id`,
    [id, userId, since],
  );
  if (!rows.length) throw notFound();
  return getWebhookOrThrow(deps, userId, id);
}

/** Asks the delivering worker for a signed test request (`{ "test": true, "events": [] }`). */
export async function requestWebhookTest(deps: WebhookDeps, userId: string, id: string): Promise<WebhookView> {
  const rows = await deps.sql.query(`UPDATE webhooks SET test_requested_at = now(), updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING id`, [
    checkId(id),
    userId,
  ]);
  if (!rows.length) throw notFound();
  return getWebhookOrThrow(deps, userId, id);
}
