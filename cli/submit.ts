// `sluice submit FEED [FILE]`: reports indicators, one per line, into one of your feeds.
//
// - The input is read as a stream and sent in batches as they fill (at most 1,000 items and under the
//   1 MiB body limit), so memory stays bounded whatever the input's size; a pipe that pauses
//   (`tail -f honeypot.log | sluice submit …`) has what it sent so far submitted after a second.
// - Every batch carries its own Idempotency-Key. A batch whose answer was lost or refused for a
//   passing reason (connection reset, timeout, 5xx, 409 in progress, a short 429) is sent again with
//   the same key: the server either runs it once or replays the stored answer, never ingests it twice.
// - A batch that fails for good stops the command. Everything before it is committed; the message
//   says so and how to resume (`--skip-lines N`), and nothing after it was sent.
// Line numbers are the input's own (comments and blank lines count), in rejections and in the hint.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { INGEST_LIMITS } from '../lib/ingest/limits';
import { apiError, connection, EXIT, fail, plainApiClient, type SluiceApi } from './api.ts';

export interface SubmitOptions {
  url?: string;
  token?: string;
  tags?: string[];
  confidence?: number;
  /** Lines of the input to skip first (a resumed run). */
  skipLines?: number;
}

/** Knobs of the batching and retries; the defaults are what users get (tests shorten the waits). */
export interface SubmitTuning {
  /** A partial batch is sent once the input has been idle this long. @default 1000 */
  idleFlushMs: number;
  /** Attempts at one batch before the command stops. @default 8 */
  attempts: number;
  /** First retry delay, doubled per attempt up to 30 s, unless the server's Retry-After says otherwise. @default 500 */
  backoffMs: number;
  /** One attempt's time limit. @default 120000 */
  timeoutMs: number;
  /** The longest Retry-After of a 429 that is waited out; a longer one (the hourly allowance) stops. @default 60 */
  maxRateLimitWaitSeconds: number;
}

const DEFAULT_TUNING: SubmitTuning = { idleFlushMs: 1000, attempts: 8, backoffMs: 500, timeoutMs: 120_000, maxRateLimitWaitSeconds: 60 };

const LONGEST_LINE_SENT = 8192;

/** Room left in a body for `{"indicators":[` … `]}`. */
const BODY_BUDGET = INGEST_LIMITS.maxBodyBytes - 1024;

interface Line {
  /** 1-based line number in the input. */
  n: number;
  item: { value: string; tags?: string[]; confidence?: number };
  bytes: number;
}

type BatchOutcome = { ok: true; accepted: number; rejected: number } | { ok: false; message: string; exit: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A retryable status: the request was not processed (or is being processed), so the same key may go again. */
const RETRYABLE_STATUS = new Set([409, 500, 502, 503, 504]);

async function sendBatch(api: SluiceApi, feed: string, batch: Line[], tuning: SubmitTuning): Promise<BatchOutcome> {
  const key = randomUUID();
  const range = batch.length === 1 ? `line ${batch[0].n}` : `lines ${batch[0].n}–${batch[batch.length - 1].n}`;
  for (let attempt = 1; ; attempt += 1) {
    let problem: string;
    let waitMs = Math.min(tuning.backoffMs * 2 ** (attempt - 1), 30_000);
    try {
      const { data, error, response } = await api.POST('/api/v1/feeds/{slug}/indicators', {
        params: { path: { slug: feed }, header: { 'Idempotency-Key': key } },
        body: { indicators: batch.map((line) => line.item) },
        signal: AbortSignal.timeout(tuning.timeoutMs),
      });
      if (data) {
        let rejected = 0;
        for (const result of data.results) {
          if (result.status !== 'rejected') continue;
          rejected += 1;
          process.stderr.write(`rejected line ${batch[result.index]?.n ?? '?'}: ${result.reason}\n`);
        }
        return { ok: true, accepted: data.results.length - rejected, rejected };
      }
      const err = apiError(error);
      problem = err ? `${err.code}: ${err.message}` : `HTTP ${response.status}`;
      const retryAfter = Number(response.headers.get('retry-after'));
      const rateLimited = response.status === 429 && Number.isFinite(retryAfter) && retryAfter <= tuning.maxRateLimitWaitSeconds;
      if (!RETRYABLE_STATUS.has(response.status) && !rateLimited) {
        const exit = response.status === 401 || response.status === 403 ? EXIT.refused : response.status < 500 ? EXIT.usage : EXIT.failure;
        return { ok: false, message: `${range}: ${problem}`, exit };
      }
      if (Number.isFinite(retryAfter) && retryAfter > 0) waitMs = Math.min(retryAfter, 60) * 1000;
    } catch (error) {
      // No answer: the batch may or may not have been committed. The same key settles it on retry.
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      problem = `no answer (${cause})`;
    }
    if (attempt >= tuning.attempts) return { ok: false, message: `${range}: ${problem} after ${attempt} attempts`, exit: EXIT.failure };
    process.stderr.write(`sluice: ${range}: ${problem}; sending again in ${(waitMs / 1000).toFixed(1)} s (same Idempotency-Key)\n`);
    await sleep(waitMs);
  }
}

export async function submit(feed: string, source: string, options: SubmitOptions, tuning: SubmitTuning = DEFAULT_TUNING): Promise<void> {
  const { url, token } = connection(options);
  const api = plainApiClient(url, token);
  const skip = options.skipLines ?? 0;
  const extra = { ...(options.tags ? { tags: options.tags } : {}), ...(options.confidence !== undefined ? { confidence: options.confidence } : {}) };

  let accepted = 0;
  let rejected = 0;
  let indicators = 0;
  /** Every line up to this one is done: skipped, or before the end of the last committed batch. */
  let doneThrough = skip;
  let pending: Line[] = [];
  let pendingBytes = 0;
  let lastLine = 0;
  // One batch in flight at a time, in input order: a failure stops everything after it.
  let sending: Promise<void> = Promise.resolve();
  let stopped = false;

  const stop = (message: string, exit: number): never => {
    stopped = true;
    const hint =
      doneThrough > 0
        ? `lines 1–${doneThrough} are done (${skip ? `the first ${skip} skipped, then ` : ''}${accepted} accepted, ${rejected} rejected); to resume: sluice submit ${feed} ${source} --skip-lines ${doneThrough}`
        : 'nothing was submitted';
    fail(`${message}\nsluice: ${hint}`, exit);
  };

  const flush = () => {
    if (!pending.length || stopped) return;
    const batch = pending;
    pending = [];
    pendingBytes = 0;
    sending = sending.then(async () => {
      const outcome = await sendBatch(api, feed, batch, tuning);
      if (!outcome.ok) return stop(outcome.message, outcome.exit);
      accepted += outcome.accepted;
      rejected += outcome.rejected;
      doneThrough = batch[batch.length - 1].n;
    });
  };

  const input = source === '-' ? process.stdin : createReadStream(source);
  let idle: NodeJS.Timeout | undefined;
  try {
    for await (const raw of createInterface({ input, crlfDelay: Infinity })) {
      lastLine += 1;
      clearTimeout(idle);
      if (lastLine <= skip) continue;
      const value = raw.trim();
      if (!value || value.startsWith('#')) continue;
      indicators += 1;
      // A line longer than any indicator (2,048 characters) is sent cut: the server still rejects it
      // with its reason, and one line can never exceed the body limit on its own.
      const item = { value: value.length > LONGEST_LINE_SENT ? value.slice(0, LONGEST_LINE_SENT) : value, ...extra };
      const bytes = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (pending.length >= INGEST_LIMITS.maxItems || pendingBytes + bytes > BODY_BUDGET) flush();
      pending.push({ n: lastLine, item, bytes });
      pendingBytes += bytes;
      if (pending.length >= INGEST_LIMITS.maxItems) {
        flush();
        await sending; // read no further than one batch ahead of the server
      } else idle = setTimeout(flush, tuning.idleFlushMs);
    }
  } catch (error) {
    clearTimeout(idle);
    await sending;
    stop(`cannot read ${source}: ${error instanceof Error ? error.message : String(error)}`, EXIT.usage);
  }
  clearTimeout(idle);
  flush();
  await sending;
  if (!indicators) fail(`no indicators in ${source === '-' ? 'standard input' : source}${skip ? ` after line ${skip}` : ''}`, EXIT.usage);
  process.stdout.write(`${accepted} accepted, ${rejected} rejected\n`);
  process.exit(accepted === 0 && rejected > 0 ? EXIT.failure : EXIT.ok);
}
