// What the API, the CLI and the dashboard show of a webhook: its settings, its delivery health
// (last success, last error, backlog, dead letters) and whether its token may stream now.
import type { FirehoseLog } from '../engines/log/types';
import { parseCursor } from '../engines/log/types';
import type { PrismaClient } from '../generated/prisma/client';
import type { SqlSession } from '../db/sql-driver';
import type { StreamFilters } from '../realtime/protocol';
import { findStreamVerdicts } from '../realtime/stream-grants';

export interface WebhookRow extends Record<string, unknown> {
  id: string;
  user_id: string;
  token_id: string | null;
  url: string;
  filters: StreamFilters | string;
  secret_ciphertext: string;
  secret_hint: string;
  state: 'active' | 'paused';
  paused_reason: string | null;
  cursor: string | null;
  cursor_generation: number;
  attempts: number;
  next_attempt_at: Date | null;
  consecutive_dead_letters: number;
  delivered_events: string | number | bigint;
  last_success_at: Date | null;
  last_attempt_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
  last_status: number | null;
  test_requested_at: Date | null;
  test_done_at: Date | null;
  test_status: number | null;
  test_error: string | null;
  lease_owner: string | null;
  lease_until: Date | null;
  created_at: Date;
}

export const WEBHOOK_COLUMNS = `id, user_id, token_id, url, filters, secret_ciphertext, secret_hint, state, paused_reason, cursor,
  cursor_generation, attempts, next_attempt_at, consecutive_dead_letters, delivered_events::text AS delivered_events,
  last_success_at, last_attempt_at, last_error, last_error_at, last_status, test_requested_at, test_done_at, test_status,
  test_error, lease_owner, lease_until, created_at`;

export interface DeadLetterView {
  id: string;
  fromCursor: string | null;
  firstCursor: string;
  lastCursor: string;
  events: number;
  attempts: number;
  lastError: string;
  lastStatus: number | null;
  at: string;
}

export interface WebhookView {
  id: string;
  url: string;
  filters: StreamFilters;
  /** active, or paused (pausedReason: "user" or "failing"). */
  state: 'active' | 'paused';
  pausedReason: string | null;
  /** Shown instead of the secret, which is returned once at creation. */
  secretHint: string;
  /** The last log position examined: deliveries continue after it. */
  cursor: string | null;
  /** Whether the registering token may stream now; deliveries wait while it may not. */
  entitlement: 'ok' | 'token_revoked' | 'token_expired' | 'plan_ended';
  health: {
    deliveredEvents: number;
    lastSuccessAt: string | null;
    lastAttemptAt: string | null;
    lastError: string | null;
    lastErrorAt: string | null;
    lastStatus: number | null;
    /** Failed attempts at the batch now being delivered, and when the next one is due. */
    attempts: number;
    nextAttemptAt: string | null;
    /** Log entries after the cursor (before filtering): how far behind the endpoint is. */
    backlog: number;
    deadLetters: number;
  };
  test: { requestedAt: string | null; doneAt: string | null; status: number | null; error: string | null };
  createdAt: string;
  /** GET /api/v1/webhooks/{id} only: the newest dead letters (bodies are not returned). */
  recentDeadLetters?: DeadLetterView[];
}

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export function parseFilters(raw: StreamFilters | string): StreamFilters {
  return typeof raw === 'string' ? (JSON.parse(raw) as StreamFilters) : raw;
}

function backlog(cursor: string | null, head: string | null): number {
  if (!cursor || !head) return 0;
  const c = parseCursor(cursor);
  const h = parseCursor(head);
  if (c.epoch !== h.epoch) return Number(h.position);
  return Math.max(0, Number(h.position - c.position));
}

export interface ViewDeps {
  prisma: PrismaClient;
  sql: SqlSession;
  log: Pick<FirehoseLog, 'bounds'>;
}

/** Views of rows, with the log's head read once and the tokens' verdicts in one query. */
export async function toViews(deps: ViewDeps, rows: WebhookRow[], options: { deadLetters?: boolean } = {}): Promise<WebhookView[]> {
  if (!rows.length) return [];
  const [bounds, verdicts, counts] = await Promise.all([
    deps.log.bounds(),
    findStreamVerdicts(deps.prisma, rows.map((r) => r.token_id).filter((t): t is string => t !== null)),
    deps.sql.query<{ webhook_id: string; n: number }>(
      `SELECT webhook_id, count(*)::int AS n FROM webhook_dead_letters WHERE webhook_id = ANY($1::uuid[]) GROUP BY webhook_id`,
      [rows.map((r) => r.id)],
    ),
  ]);
  const deadCounts = new Map(counts.map((c) => [c.webhook_id, c.n]));
  const views: WebhookView[] = [];
  for (const row of rows) {
    const verdict = row.token_id && verdicts.has(row.token_id) ? verdicts.get(row.token_id)! : 'token_revoked';
    const view: WebhookView = {
      id: row.id,
      url: row.url,
      filters: parseFilters(row.filters),
      state: row.state,
      pausedReason: row.paused_reason,
      secretHint: row.secret_hint,
      cursor: row.cursor,
      entitlement: verdict ?? 'ok',
      health: {
        deliveredEvents: Number(row.delivered_events),
        lastSuccessAt: iso(row.last_success_at),
        lastAttemptAt: iso(row.last_attempt_at),
        lastError: row.last_error,
        lastErrorAt: iso(row.last_error_at),
        lastStatus: row.last_status,
        attempts: row.attempts,
        nextAttemptAt: iso(row.next_attempt_at),
        backlog: backlog(row.cursor, bounds.head),
        deadLetters: deadCounts.get(row.id) ?? 0,
      },
      test: { requestedAt: iso(row.test_requested_at), doneAt: iso(row.test_done_at), status: row.test_status, error: row.test_error },
      createdAt: iso(row.created_at)!,
    };
    if (options.deadLetters) {
      const letters = await deps.sql.query<{
        id: string;
        from_cursor: string | null;
        first_cursor: string;
        last_cursor: string;
        event_count: number;
        attempts: number;
        last_error: string;
        last_status: number | null;
        created_at: Date;
      }>(
        `SELECT id::text AS id, from_cursor, first_cursor, last_cursor, event_count, attempts, last_error, last_status, created_at
           FROM webhook_dead_letters WHERE webhook_id = $1 ORDER BY id DESC LIMIT 20`,
        [row.id],
      );
      view.recentDeadLetters = letters.map((l) => ({
        id: l.id,
        fromCursor: l.from_cursor,
        firstCursor: l.first_cursor,
        lastCursor: l.last_cursor,
        events: l.event_count,
        attempts: l.attempts,
        lastError: l.last_error,
        lastStatus: l.last_status,
        at: iso(l.created_at)!,
      }));
    }
    views.push(view);
  }
  return views;
}
