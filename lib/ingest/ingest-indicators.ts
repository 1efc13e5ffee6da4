// The one ingest function (DESIGN.md "One data path"): validate and normalise each item, then write
// every accepted item — indicator upsert, sighting, and for public feeds an outbox event — in one
// transaction with one multi-row statement per table. The REST API, the seed script, and any future
// CLI, federation or worker path enter here.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';
import type { EventKind, FirehoseEventBody } from '../events';
import {
  checkNeverPublish,
  compileAllowList,
  parseIndicator,
  type CompiledAllowList,
  type IndicatorType,
} from '../indicators';
import { formatZodIssues } from './parse-input';
import { notifyOutboxWritten } from './outbox-signal';
import { INGEST_LIMITS, submittedItemSchema, type ValidItem } from './schemas';

export type ItemOutcome =
  | {
      index: number;
      status: 'accepted';
      type: IndicatorType;
      value: string;
      port?: number;
      /** Firehose event kind for public feeds; absent for private feeds (nothing is published). */
      kind?: EventKind;
      /** The firehose event id (public feeds only). */
      eventId?: string;
    }
  | { index: number; status: 'rejected'; input: string | null; code: string; reason: string };

export interface IngestResult {
  feed: { slug: string; owner: string; public: boolean };
  accepted: number;
  rejected: number;
  results: ItemOutcome[];
}

export interface IngestInput {
  /** Owner of the feed (and reporter of the sightings). */
  ownerId: string;
  /** Slug of one of the owner's feeds. */
  feed: string;
  /** Raw items: { value, type?, tags?, description?, confidence?, reportedAt?, reference? }. */
  items: unknown[];
  /**
   * Event kind of every published item, instead of new/sighting: system feeds publish the
   * workers' `correlated` and `expired` events through this same path.
   */
  kind?: Extract<EventKind, 'correlated' | 'expired'>;
}

export interface IngestDeps {
  sql: SqlDriver;
  /** The never-publish allow-list (NEVER_PUBLISH_DOMAINS / NEVER_PUBLISH_NETWORKS). */
  allowList: CompiledAllowList;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
  /**
   * Called once after the transaction committed (never on failure), e.g. to enqueue post-processing.
   * Must not block: the caller's answer does not wait for it; a throw is swallowed.
   */
  afterCommit?: (result: IngestResult) => void;
}

const compiledByConfig = new WeakMap<object, CompiledAllowList>();

/** The compiled never-publish allow-list of a configuration (compiled once per config object). */
export function allowListFromConfig(config: Pick<Config, 'NEVER_PUBLISH_DOMAINS' | 'NEVER_PUBLISH_NETWORKS'>): CompiledAllowList {
  let compiled = compiledByConfig.get(config);
  if (!compiled) {
    compiled = compileAllowList({ domains: config.NEVER_PUBLISH_DOMAINS, networks: config.NEVER_PUBLISH_NETWORKS });
    compiledByConfig.set(config, compiled);
  }
  return compiled;
}

interface Accepted {
  index: number;
  type: IndicatorType;
  value: string;
  port: number | null;
  item: ValidItem;
  reportedAt: Date;
}

const ECHO_LIMIT = 256;

function echo(raw: unknown): string | null {
  const value = raw !== null && typeof raw === 'object' && 'value' in raw ? (raw as { value: unknown }).value : raw;
  if (typeof value === 'string') return value.length > ECHO_LIMIT ? value.slice(0, ECHO_LIMIT) + '…' : value;
  if (value === undefined) return null;
  try {
    const text = JSON.stringify(value) ?? null;
    return text && text.length > ECHO_LIMIT ? text.slice(0, ECHO_LIMIT) + '…' : text;
  } catch {
    return null;
  }
}

/** Validates, parses and screens one item: pure, no I/O. */
export function screenItem(
  raw: unknown,
  index: number,
  allowList: CompiledAllowList,
  now: number,
): { ok: true; accepted: Accepted } | { ok: false; outcome: ItemOutcome } {
  const reject = (code: string, reason: string) => ({
    ok: false as const,
    outcome: { index, status: 'rejected' as const, input: echo(raw), code, reason },
  });
  const shape = typeof raw === 'string' ? { value: raw } : raw;
  const checked = submittedItemSchema.safeParse(shape);
  if (!checked.success) {
    return reject('invalid_item', shape === null || typeof shape !== 'object' || Array.isArray(shape) ? 'an item is an object { "value": "…" } or a string' : formatZodIssues(checked.error, 3));
  }
  const item = checked.data;
  const parsed = parseIndicator(item.value, item.type ? { type: item.type } : undefined);
  if (!parsed.ok) return reject(parsed.code, parsed.reason);
  const policy = checkNeverPublish(parsed, allowList);
  if (policy.blocked) return reject('never_publish', `never published: ${policy.reason}`);
  return {
    ok: true,
    accepted: { index, type: parsed.type, value: parsed.value, port: parsed.port ?? null, item, reportedAt: item.reportedAt ?? new Date(now) },
  };
}

interface FeedRow extends Record<string, unknown> {
  id: string;
  slug: string;
  owner_id: string;
  tlp: string;
}

interface IndicatorRow extends Record<string, unknown> {
  id: string;
  type: IndicatorType;
  value: string;
  public_first_seen: Date | string | null;
  public_last_seen: Date | string | null;
  public_count: number;
}

const iso = (v: Date | string | null): string => (v === null ? '' : new Date(v).toISOString());

const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/**
 * Ingests a batch into one of the owner's feeds. Rejected items are reported, accepted ones are all
 * written in one transaction (all or nothing: a failure writes none of them and throws).
 */
export async function ingestIndicators(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  if (input.items.length > INGEST_LIMITS.maxItems) {
    throw new AppError('too_many_items', `at most ${INGEST_LIMITS.maxItems} indicators per batch`, 413);
  }
  const now = (deps.now ?? Date.now)();
  const outcomes: ItemOutcome[] = new Array(input.items.length);
  const accepted: Accepted[] = [];
  input.items.forEach((raw, index) => {
    const screened = screenItem(raw, index, deps.allowList, now);
    if (screened.ok) accepted.push(screened.accepted);
    else outcomes[index] = screened.outcome;
  });

  let written: { feed: FeedRow; kinds: Map<number, { kind: EventKind; eventId: string }> } | null = null;
  for (let attempt = 1; ; attempt++) {
    try {
      written = await deps.sql.transaction((tx) => writeBatch(tx, input, accepted));
      break;
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRetryable(error)) throw error;
      await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
    }
  }
  const { feed, kinds } = written;
  const isPublic = feed.tlp === 'CLEAR';
  for (const a of accepted) {
    const event = kinds.get(a.index);
    outcomes[a.index] = {
      index: a.index,
      status: 'accepted',
      type: a.type,
      value: a.value,
      ...(a.port !== null ? { port: a.port } : {}),
      ...(event ? { kind: event.kind, eventId: event.eventId } : {}),
    };
  }
  if (isPublic && accepted.length) notifyOutboxWritten();
  const result: IngestResult = {
    feed: { slug: feed.slug, owner: feed.owner_id, public: isPublic },
    accepted: accepted.length,
    rejected: input.items.length - accepted.length,
    results: outcomes,
  };
  if (deps.afterCommit && accepted.length) {
    try {
      deps.afterCommit(result);
    } catch {
      // post-processing is best effort here; the items are committed either way
    }
  }
  return result;
}

async function writeBatch(tx: SqlSession, input: IngestInput, accepted: Accepted[]) {
  // FOR SHARE: the feed cannot be deleted or change TLP under this batch.
  const [feed] = await tx.query<FeedRow>(
    `SELECT id::text AS id, slug, owner_id::text AS owner_id, tlp::text AS tlp FROM feeds WHERE owner_id = $1::uuid AND slug = $2 FOR SHARE`,
    [input.ownerId, input.feed],
  );
  if (!feed) throw new AppError('feed_not_found', `you have no feed "${input.feed}"`, 404);
  const kinds = new Map<number, { kind: EventKind; eventId: string }>();
  if (!accepted.length) return { feed, kinds };
  const isPublic = feed.tlp === 'CLEAR';

  // 1. One upsert per distinct indicator, aggregated here, in (type, value) order so that
  //    concurrent batches lock rows in the same order (no deadlock between two of them).
  const groups = new Map<string, { type: IndicatorType; value: string; first: number; last: number; n: number }>();
  for (const a of accepted) {
    const key = `${a.type}\u0000${a.value}`;
    const t = a.reportedAt.getTime();
    const g = groups.get(key);
    if (g) {
      g.first = Math.min(g.first, t);
      g.last = Math.max(g.last, t);
      g.n += 1;
    } else groups.set(key, { type: a.type, value: a.value, first: t, last: t, n: 1 });
  }
  const indicatorRows = [...groups.values()]
    .sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
    .map((g) => {
      const first = new Date(g.first).toISOString();
      const last = new Date(g.last).toISOString();
      return { t: g.type, v: g.value, f: first, l: last, n: g.n, pf: isPublic ? first : null, pl: isPublic ? last : null, pn: isPublic ? g.n : 0 };
    });
  const upserted = await tx.query<IndicatorRow>(
    `INSERT INTO indicators (type, value, first_seen, last_seen, count, public_first_seen, public_last_seen, public_count)
     SELECT x.t::"IndicatorType", x.v, x.f, x.l, x.n, x.pf, x.pl, x.pn
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (t text, v text, f timestamptz, l timestamptz, n int, pf timestamptz, pl timestamptz, pn int)) WITH ORDINALITY AS x(t, v, f, l, n, pf, pl, pn, o)
     ORDER BY x.o
     ON CONFLICT (type, value) DO UPDATE SET
       first_seen = LEAST(indicators.first_seen, EXCLUDED.first_seen),
       last_seen = GREATEST(indicators.last_seen, EXCLUDED.last_seen),
       count = indicators.count + EXCLUDED.count,
       public_first_seen = LEAST(indicators.public_first_seen, EXCLUDED.public_first_seen),
       public_last_seen = GREATEST(indicators.public_last_seen, EXCLUDED.public_last_seen),
       public_count = indicators.public_count + EXCLUDED.public_count
     RETURNING id::text AS id, type::text AS type, value, public_first_seen, public_last_seen, public_count`,
    [JSON.stringify(indicatorRows)],
  );
  const byKey = new Map(upserted.map((row) => [`${row.type}\u0000${row.value}`, row]));

  // 2. One sighting per accepted item, in submission order.
  const sightingRows = accepted.map((a) => {
    const row = byKey.get(`${a.type}\u0000${a.value}`);
    if (!row) throw new Error(`indicator upsert returned no row for ${a.type}`);
    return {
      i: row.id,
      g: a.item.tags,
      c: a.item.confidence,
      d: a.item.description ?? null,
      r: a.item.reference ?? null,
      p: a.port,
      at: a.reportedAt.toISOString(),
    };
  });
  await tx.query(
    `INSERT INTO sightings (indicator_id, feed_id, reporter_id, is_public, tags, confidence, description, reference, port, reported_at)
     SELECT x.i, $2::uuid, $3::uuid, $4::boolean, ARRAY(SELECT jsonb_array_elements_text(x.g)), x.c, x.d, x.r, x.p, x.at
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (i bigint, g jsonb, c int, d text, r text, p int, at timestamptz)) WITH ORDINALITY AS x(i, g, c, d, r, p, at, o)
     ORDER BY x.o`,
    [JSON.stringify(sightingRows), feed.id, input.ownerId, isPublic],
  );
  if (!isPublic) return { feed, kinds };

  // 3. One outbox event per public sighting. The public_* counters are the only ones an event may
  //    show; `new` marks the indicator's first public sighting ever.
  const seenInBatch = new Map<string, number>();
  const events: { e: string; p: FirehoseEventBody }[] = [];
  for (const a of accepted) {
    const key = `${a.type}\u0000${a.value}`;
    const row = byKey.get(key)!;
    const group = groups.get(key)!;
    const k = (seenInBatch.get(key) ?? 0) + 1;
    seenInBatch.set(key, k);
    const count = row.public_count - group.n + k;
    const kind: EventKind = input.kind ?? (count === 1 ? 'new' : 'sighting');
    const id = randomUUID();
    kinds.set(a.index, { kind, eventId: id });
    events.push({
      e: id,
      p: {
        id,
        kind,
        indicator: {
          type: a.type,
          value: a.value,
          tags: a.item.tags,
          confidence: a.item.confidence,
          firstSeen: iso(row.public_first_seen),
          lastSeen: iso(row.public_last_seen),
          count,
        },
        feed: { slug: feed.slug, owner: feed.owner_id },
        reportedAt: a.reportedAt.toISOString(),
      },
    });
  }
  await tx.query(
    `INSERT INTO outbox (event_id, payload)
     SELECT x.e, x.p FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (e uuid, p jsonb)) WITH ORDINALITY AS x(e, p, o)
     ORDER BY x.o`,
    [JSON.stringify(events)],
  );
  return { feed, kinds };
}
