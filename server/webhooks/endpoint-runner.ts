// Delivers one webhook endpoint while this node holds its lease: reads the firehose log after the
// endpoint's durable cursor, keeps the events its filters match (compiled like the gateway's),
// POSTs them as one signed batch, and only then moves the cursor (at least once). A failed batch is
// retried with exponential backoff and jitter (the attempt count and the next try are stored, so a
// restart keeps the schedule); after WEBHOOK_MAX_ATTEMPTS it is dead-lettered and the cursor moves
// past it; WEBHOOK_PAUSE_AFTER_DEAD_LETTERS in a row pause the endpoint.
import type { Config } from '../../lib/config';
import type { SqlDriver } from '../../lib/db/sql-driver';
import type { FirehoseLog } from '../../lib/engines/log/types';
import { compareCursors, parseCursor } from '../../lib/engines/log/types';
import { isUnavailableError } from '../../lib/errors';
import type { FirehoseEvent, FirehoseEventBody } from '../../lib/events';
import type { Logger } from '../../lib/logger';
import type { StreamVerdict } from '../../lib/realtime/stream-grants';
import { decryptSecret, type SecretKey } from '../../lib/webhooks/secret';
import { sendWebhook, type SendResult } from '../../lib/webhooks/send';
import { parseFilters, type WebhookRow } from '../../lib/webhooks/views';
import { compileFilter, type CompiledFilter } from '../gateway/filters';
import { deadLetterBatch, getLeasedWebhook, updateFenced, type Fence } from './leases';

export type RunnerConfig = Pick<
  Config,
  'WEBHOOK_ALLOW_LOOPBACK' | 'WEBHOOK_MAX_ATTEMPTS' | 'WEBHOOK_RETRY_BASE_MS' | 'WEBHOOK_RETRY_MAX_MS' | 'WEBHOOK_PAUSE_AFTER_DEAD_LETTERS' | 'WEBHOOK_TIMEOUT_MS' | 'WEBHOOK_BATCH_SIZE'
>;

export interface RunnerDeps {
  sql: SqlDriver;
  log: Pick<FirehoseLog, 'read'>;
  logger: Logger;
  config: RunnerConfig;
  key: SecretKey;
  owner: string;
  userAgent: string;
  /** How long an idle runner waits when nothing wakes it, in ms. */
  idleMs: number;
}

/** Most bytes of events in one batch (one event more than this is still sent alone). */
const MAX_BATCH_BYTES = 256 * 1024;
/** Log entries examined per step. */
const READ_LIMIT = 1000;

/** Exponential backoff with "equal jitter": between half and all of base·2^(attempt-1), capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random = Math.random): number {
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  return Math.round(delay / 2 + (random() * delay) / 2);
}

interface Batch {
  fromCursor: string | null;
  firstCursor: string;
  lastCursor: string;
  /** Where the cursor goes once the batch is delivered (past non-matching entries too). */
  nextCursor: string;
  events: number;
  body: string;
}

export class EndpointRunner {
  private row: WebhookRow;
  private filter: CompiledFilter;
  private secret: { ciphertext: string; value: string } | null = null;
  private dirty = false;
  private stopped = false;
  private wakeUp: (() => void) | null = null;
  private readonly loop: Promise<void>;
  private readonly log: Logger;
  /** The registering token's stream verdict, refreshed by the service's scan. */
  verdict: StreamVerdict = null;

  constructor(
    row: WebhookRow,
    private readonly deps: RunnerDeps,
    private readonly onStop: (runner: EndpointRunner) => void,
  ) {
    this.row = row;
    this.filter = compileFilter(parseFilters(row.filters));
    this.log = deps.logger.child({ webhookId: row.id });
    this.loop = this.run();
  }

  get id(): string {
    return this.row.id;
  }

  /** The scan saw the row: reload it before the next step when something outside changed it. */
  notify(row: WebhookRow): void {
    const changed =
      row.state !== this.row.state ||
      row.cursor_generation !== this.row.cursor_generation ||
      String(row.test_requested_at) !== String(this.row.test_requested_at);
    if (changed) {
      this.dirty = true;
      this.wake();
    }
  }

  wake(): void {
    this.wakeUp?.();
  }

  /** Stops after the delivery in flight, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    await this.loop;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      let waitMs: number;
      try {
        waitMs = await this.step();
        failures = 0;
      } catch (error) {
        failures += 1;
        if (failures === 1) this.log[isUnavailableError(error) ? 'warn' : 'error']({ err: error }, 'webhook runner step failed; retrying');
        waitMs = Math.min(10_000, 200 * 2 ** Math.min(failures, 6));
      }
      if (!this.stopped && waitMs > 0) await this.sleep(waitMs);
    }
    this.onStop(this);
  }

  private get fence(): Fence {
    return { id: this.row.id, owner: this.deps.owner, generation: this.row.cursor_generation };
  }

  /** After a write: the new row, or a reload (replayed), or the end (lease lost, deleted). */
  private async settle(updated: WebhookRow | null): Promise<void> {
    if (updated) {
      this.row = updated;
      return;
    }
    const reloaded = await getLeasedWebhook(this.deps.sql, this.row.id, this.deps.owner);
    if (!reloaded) {
      this.log.info('webhook no longer leased by this node (deleted, or taken over); stopping its runner');
      this.stopped = true;
      return;
    }
    this.row = reloaded;
  }

  private secretValue(): string {
    if (this.secret?.ciphertext !== this.row.secret_ciphertext) {
      this.secret = { ciphertext: this.row.secret_ciphertext, value: decryptSecret(this.row.secret_ciphertext, this.deps.key) };
    }
    return this.secret.value;
  }

  private send(body: string, attempt: number): Promise<SendResult> {
    return sendWebhook(this.row.url, this.secretValue(), body, {
      allowLoopback: this.deps.config.WEBHOOK_ALLOW_LOOPBACK,
      timeoutMs: this.deps.config.WEBHOOK_TIMEOUT_MS,
      userAgent: this.deps.userAgent,
      headers: { 'Sluice-Webhook-Id': this.row.id, 'Sluice-Delivery-Attempt': String(attempt) },
    });
  }

  /** One step; returns how long to wait before the next (0: at once). */
  private async step(): Promise<number> {
    if (this.dirty) {
      this.dirty = false;
      await this.settle(null);
      if (this.stopped) return 0;
    }
    const row = this.row;
    if (row.test_requested_at && (!row.test_done_at || new Date(row.test_requested_at) > new Date(row.test_done_at))) {
      const result = await this.send(JSON.stringify({ test: true, webhook: row.id, events: [] }), 1);
      await this.settle(
        await updateFenced(this.deps.sql, this.fence, `test_done_at = now(), test_status = $4, test_error = $5`, [result.status, result.error]),
      );
      return 0;
    }
    if (row.state !== 'active' || this.verdict !== null) return this.deps.idleMs;
    if (row.next_attempt_at) {
      const due = new Date(row.next_attempt_at).getTime() - Date.now();
      if (due > 0) return Math.min(due, this.deps.idleMs);
    }
    const batch = await this.nextBatch();
    if (batch === null) return this.deps.idleMs;
    if (batch.events > 0) {
      // A pause, replay or deletion since the row was read takes effect before this POST, not after.
      await this.settle(null);
      if (this.stopped || this.row.state !== 'active' || this.row.cursor !== batch.fromCursor) return 0;
    }
    if (batch.events === 0) {
      await this.settle(await updateFenced(this.deps.sql, this.fence, `cursor = $4`, [batch.nextCursor]));
      return 0;
    }
    const attempt = row.attempts + 1;
    const result = await this.send(batch.body, attempt);
    if (result.ok) {
      await this.settle(
        await updateFenced(
          this.deps.sql,
          this.fence,
          `cursor = $4, attempts = 0, next_attempt_at = NULL, consecutive_dead_letters = 0, delivered_events = delivered_events + $5,
           last_success_at = now(), last_attempt_at = now(), last_status = $6`,
          [batch.nextCursor, batch.events, result.status],
        ),
      );
      return 0;
    }
    const error = result.error ?? 'failed';
    const { config } = this.deps;
    if (attempt >= config.WEBHOOK_MAX_ATTEMPTS) {
      this.log.warn({ attempts: attempt, error, first: batch.firstCursor, last: batch.lastCursor }, 'webhook batch dead-lettered');
      const updated = await deadLetterBatch(
        this.deps.sql,
        this.fence,
        { ...batch, payload: batch.body },
        { attempts: attempt, error, status: result.status },
        config.WEBHOOK_PAUSE_AFTER_DEAD_LETTERS,
      );
      await this.settle(updated);
      if (updated?.state === 'paused') this.log.warn({ deadLetters: updated.consecutive_dead_letters }, 'webhook paused: it keeps failing');
      return 0;
    }
    const delay = retryDelayMs(attempt, config.WEBHOOK_RETRY_BASE_MS, config.WEBHOOK_RETRY_MAX_MS);
    await this.settle(
      await updateFenced(
        this.deps.sql,
        this.fence,
        `attempts = $4, next_attempt_at = $5, last_attempt_at = now(), last_error = $6, last_error_at = now(), last_status = $7`,
        [attempt, new Date(Date.now() + delay), error, result.status],
      ),
    );
    return 0;
  }

  /** The next batch after the cursor, or null when the log holds nothing new. */
  private async nextBatch(): Promise<Batch | null> {
    const from = this.row.cursor;
    const entries = await this.deps.log.read(from, READ_LIMIT);
    if (!entries.length) return null;
    if (from) {
      // A cursor the log trimmed past (the endpoint waited longer than the retention): say so once.
      const first = parseCursor(entries[0].cursor);
      const at = parseCursor(from);
      if (first.epoch !== at.epoch || first.position !== at.position + 1n) {
        if (compareCursors(entries[0].cursor, from) > 0) {
          const note = `events after ${from} up to ${entries[0].cursor} were no longer retained when delivery reached them`;
          this.log.warn(note);
          await this.settle(await updateFenced(this.deps.sql, this.fence, `last_error = $4, last_error_at = now()`, [note]));
        }
      }
    }
    const parts: string[] = [];
    let bytes = 0;
    let firstCursor: string | null = null;
    let lastCursor: string | null = null;
    let nextCursor = from ?? entries[0].cursor;
    for (const entry of entries) {
      let event: FirehoseEvent;
      try {
        event = { ...(JSON.parse(entry.data) as FirehoseEventBody), cursor: entry.cursor };
      } catch {
        this.log.warn({ cursor: entry.cursor }, 'skipping an undecodable log entry');
        nextCursor = entry.cursor;
        continue;
      }
      if (this.filter.matches(event)) {
        const json = JSON.stringify(event);
        if (parts.length && (parts.length >= this.deps.config.WEBHOOK_BATCH_SIZE || bytes + json.length > MAX_BATCH_BYTES)) break;
        parts.push(json);
        bytes += json.length + 1;
        firstCursor ??= entry.cursor;
        lastCursor = entry.cursor;
      }
      nextCursor = entry.cursor;
    }
    return {
      fromCursor: from,
      firstCursor: firstCursor ?? nextCursor,
      lastCursor: lastCursor ?? nextCursor,
      nextCursor,
      events: parts.length,
      body: `{"events":[${parts.join(',')}]}`,
    };
  }
}
