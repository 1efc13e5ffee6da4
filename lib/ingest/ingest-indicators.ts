// The one ingest function (DESIGN.md "One data path"): validate and normalise each item, then write
// every accepted item — indicator upsert, sighting, and for public feeds an outbox event — in one
// transaction with one multi-row statement per table. The REST API, the seed script, and any future
// CLI, federation or worker path enter here.
//
// Trust (docs/trust.md) is applied here, inline: a public sighting whose value is on a warning list,
// or whose reporter is not established, is stored but held from the firehose (not public) until
// TRUST_CORROBORATION_REPORTERS distinct reporters saw the value within the window; then the held
// sightings become public together and stream as one corroborated event. Every event carries the
// value's distinct reporters, confidence, overridden warnings and expiry.
// Longer than 300 lines because it is the one data path: screening, the feed and trust checks and
// the multi-row statements of one transaction read top to bottom in one place.
import { randomUUID } from 'node:crypto';
import type { Config } from '../config';
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import { AppError } from '../errors';
import type { EventKind, EventOrigin, FirehoseEventBody } from '../events';
import {
  checkNeverPublish,
  compileAllowList,
  parseIndicator,
  type CompiledAllowList,
  type IndicatorType,
} from '../indicators';
import { batchExpiries, defaultTrustPolicy, eventConfidence, isEstablished, type TrustLevel, type TrustPolicy } from '../trust/policy';
import { recordWarningHits } from '../trust/warning-lists';
import { formatZodIssues } from '../http/parse-input';
import { enrichIndicator, type IpEnrichment } from '../enrichment/enrich-indicator';
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
      /** Public feed, but held from the firehose until corroborated (docs/trust.md). */
      held?: true;
      /** Warning lists the value is on. */
      warnings?: string[];
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
  /**
   * Events received from a peer instance (lib/federation), one origin per item (same indexes; hops
   * already counted). Each origin is claimed in the transaction under federated_events' primary
   * key: an item whose origin is already here is rejected as `duplicate`. The sightings' reporter is
   * `reporterId` (the origin instance's reporter), counted among the value's distinct reporters.
   */
  federated?: { link: string; reporterId: string; origins: (EventOrigin & { reporters?: number })[] };
  /** The feed as readIngestFeed read it (the batch route reads it once, before anything else); read here when absent. */
  feedRecord?: IngestFeed;
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
  /** Trust policy (warning lists, corroboration). @default defaultTrustPolicy() (from the environment) */
  trust?: TrustPolicy;
  /**
   * Statements of the caller's that must commit with the batch or not at all (an Idempotency-Key
   * and its stored answer: lib/ingest/idempotency.ts): `before` runs first in the transaction,
   * `after` last, with the result the caller is about to answer. They run in a transaction of
   * their own when nothing is to be written; a throw rolls everything back and is rethrown.
   */
  inTransaction?: {
    before(tx: SqlSession): Promise<void>;
    after(tx: SqlSession, result: IngestResult): Promise<void>;
  };
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
  /** reportedAt in ms and as ISO text, formatted once (Next patches the global Date: every Date costs). */
  t: number;
  at: string;
  /** Warning lists the value hits (filled before the transaction). */
  warnings: string[];
  /** The value's IP enrichment for its event (filled before the transaction; empty for other types). */
  enrichment: IpEnrichment;
}

const ECHO_LIMIT = 256;
const NO_ENRICHMENT: Readonly<IpEnrichment> = Object.freeze({});

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

/** Validates, parses and screens one item: pure, no I/O. `nowIso` is the reportedAt of items without one. */
export function screenItem(
  raw: unknown,
  index: number,
  allowList: CompiledAllowList,
  now: number,
  nowIso = new Date(now).toISOString(),
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
  const reported = item.reportedAt;
  return {
    ok: true,
    accepted: {
      index,
      type: parsed.type,
      value: parsed.value,
      port: parsed.port ?? null,
      item,
      t: reported ? reported.getTime() : now,
      at: reported ? reported.toISOString() : nowIso,
      warnings: [],
      enrichment: NO_ENRICHMENT,
    },
  };
}

/** The feed a batch goes into, with what the trust checks need to know about its owner. */
export interface IngestFeed extends Record<string, unknown> {
  id: string;
  slug: string;
  owner_id: string;
  tlp: string;
  is_system: boolean;
  trust_level: TrustLevel;
  created_at: Date | string;
  plan: string;
  retracted_reports: number;
  email_verified: boolean;
}

/**
 * Reads one of the owner's feeds (404 when there is none), outside any transaction: the batch is
 * prepared from it, and the write re-checks under a lock that the feed did not change meanwhile.
 */
export async function readIngestFeed(sql: SqlSession, ownerId: string, slug: string): Promise<IngestFeed> {
  const [feed] = await sql.query<IngestFeed>(
    `SELECT f.id::text AS id, f.slug, f.owner_id::text AS owner_id, f.tlp::text AS tlp, f.is_system,
            u.trust_level, u.created_at, u.plan::text AS plan, u.retracted_reports,
            (u.email_verified_at IS NOT NULL) AS email_verified
     FROM feeds f JOIN users u ON u.id = f.owner_id WHERE f.owner_id = $1::uuid AND f.slug = $2`,
    [ownerId, slug],
  );
  if (!feed) throw new AppError('feed_not_found', `you have no feed "${slug}"`, 404);
  return feed;
}

interface IndicatorRow extends Record<string, unknown> {
  id: string;
  type: IndicatorType;
  value: string;
  /** ISO text (ISO_UTC below): formatted by the database, never parsed into a Date here. */
  public_first_seen: string | null;
  public_last_seen: string | null;
  public_count: number;
  held_count: number;
  retracted: boolean;
  /** Created by this batch's upsert (xmax = 0: no earlier row version), not seen before. */
  inserted?: boolean;
}

/** A timestamptz column as the ISO 8601 text JavaScript's toISOString() writes. */
const ISO_UTC = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const RETRYABLE = new Set(['40P01', '40001']);
const MAX_ATTEMPTS = 4;

function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE.has(code);
}

/** The feed was deleted or changed TLP between readIngestFeed and the write: prepare again. */
class FeedChanged extends Error {}

type Written = { kind: EventKind; eventId: string; held?: true };

/**
 * Ingests a batch into one of the owner's feeds. Rejected items are reported, accepted ones are all
 * written in one transaction (all or nothing: a failure writes none of them and throws).
 */
export async function ingestIndicators(deps: IngestDeps, input: IngestInput): Promise<IngestResult> {
  if (input.items.length > INGEST_LIMITS.maxItems) {
    throw new AppError('too_many_items', `at most ${INGEST_LIMITS.maxItems} indicators per batch`, 413);
  }
  const now = (deps.now ?? Date.now)();
  const nowIso = new Date(now).toISOString();
  const outcomes: ItemOutcome[] = new Array(input.items.length);
  const accepted: Accepted[] = [];
  input.items.forEach((raw, index) => {
    const screened = screenItem(raw, index, deps.allowList, now, nowIso);
    if (screened.ok) accepted.push(screened.accepted);
    else outcomes[index] = screened.outcome;
  });

  const policy = deps.trust ?? defaultTrustPolicy();
  const hits = new Map<string, number>();
  if (accepted.length) {
    const matcher = await policy.lists.current(deps.sql);
    for (const a of accepted) {
      a.warnings = matcher.match(a.type, a.value);
      for (const id of a.warnings) hits.set(id, (hits.get(id) ?? 0) + 1);
      // Events carry it; looked up here, not while the transaction holds its rows.
      a.enrichment = enrichIndicator(a.type, a.value);
    }
  }

  // Everything is computed before the transaction opens; inside it, the statements run back to back
  // (a transaction waiting on this event loop holds its row locks from every other batch).
  let feed = input.feedRecord ?? (await readIngestFeed(deps.sql, input.ownerId, input.feed));
  let written: { kinds: Map<number, Written>; duplicates?: Set<number> } = { kinds: new Map() };
  const hooks = deps.inTransaction;
  // Nothing to write and nothing of the caller's: no transaction at all.
  let result: IngestResult | null = accepted.length || hooks ? null : describeResult(input, feed, accepted, outcomes, written);
  for (let attempt = 1; result === null; attempt++) {
    try {
      const batch = accepted.length ? prepareBatch(input, feed, accepted, policy, now) : null;
      [written, result] = await deps.sql.transaction(async (tx) => {
        await hooks?.before(tx);
        const w = batch ? await writeBatch(tx, input, batch, policy, now) : written;
        const r = describeResult(input, feed, accepted, outcomes, w);
        await hooks?.after(tx, r);
        return [w, r] as const;
      });
      break;
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS) throw error;
      if (error instanceof FeedChanged) feed = await readIngestFeed(deps.sql, input.ownerId, input.feed);
      else if (isRetryable(error)) await new Promise((r) => setTimeout(r, 5 * attempt + Math.random() * 20));
      else throw error;
    }
  }
  const duplicates = written.duplicates ?? new Set<number>();
  if (result.feed.public && accepted.length) notifyOutboxWritten();
  if (hits.size) void recordWarningHits(deps.sql, hits, new Date(now));
  if (deps.afterCommit && accepted.length > duplicates.size) {
    try {
      deps.afterCommit(result);
    } catch {
      // post-processing is best effort here; the items are committed either way
    }
  }
  return result;
}

/** The batch's answer once written: each accepted item's outcome (filled into `outcomes`) and the counts. */
function describeResult(
  input: IngestInput,
  feed: IngestFeed,
  accepted: Accepted[],
  outcomes: ItemOutcome[],
  written: { kinds: Map<number, Written>; duplicates?: Set<number> },
): IngestResult {
  const { kinds } = written;
  const isPublic = feed.tlp === 'CLEAR';
  const duplicates = written.duplicates ?? new Set<number>();
  for (const a of accepted) {
    if (duplicates.has(a.index)) {
      outcomes[a.index] = { index: a.index, status: 'rejected', input: a.value, code: 'duplicate', reason: 'this event was already received (same origin)' };
      continue;
    }
    const outcome: ItemOutcome = { index: a.index, status: 'accepted', type: a.type, value: a.value };
    if (a.port !== null) outcome.port = a.port;
    const event = kinds.get(a.index);
    if (event?.held) outcome.held = true;
    else if (event) {
      outcome.kind = event.kind;
      outcome.eventId = event.eventId;
    }
    if (a.warnings.length) outcome.warnings = a.warnings;
    outcomes[a.index] = outcome;
  }
  return {
    feed: { slug: feed.slug, owner: feed.owner_id, public: isPublic },
    accepted: accepted.length - duplicates.size,
    rejected: input.items.length - accepted.length + duplicates.size,
    results: outcomes,
  };
}

const keyOf = (type: string, value: string) => `${type}\u0000${value}`;

/** A PostgreSQL array literal of strings ('{"a","b"}'): a per-row text[] inside a text[] column of unnest(). */
const pgTextArray = (values: readonly string[]) => (values.length ? `{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}` : '{}');

interface Group {
  type: IndicatorType;
  value: string;
  first: number;
  firstAt: string;
  last: number;
  lastAt: string;
  n: number;
  /** Items that may be published now (public feed, not held). */
  pn: number;
  pFirst: number;
  pFirstAt: string | null;
  pLast: number;
  pLastAt: string | null;
  /** Items held until corroborated. */
  hn: number;
}

/** A batch ready to write: the statement's columns, computed outside the transaction. */
interface PreparedBatch {
  feed: IngestFeed;
  isPublic: boolean;
  accepted: Accepted[];
  groups: Map<string, Group>;
  holds: (a: Accepted) => boolean;
  /** Indicator columns, one entry per distinct indicator in (type, value) order. */
  indicators: { t: string[]; v: string[]; f: string[]; l: string[]; n: number[]; pf: (string | null)[]; pl: (string | null)[]; pn: number[]; hn: number[] };
  /** Sighting columns, one entry per accepted item in submission order (w and g: text[] literals). */
  sightings: { t: string[]; v: string[]; pub: boolean[]; h: boolean[]; w: string[]; g: string[]; c: number[]; d: (string | null)[]; r: (string | null)[]; p: (number | null)[]; at: string[] };
}

function prepareBatch(input: IngestInput, feed: IngestFeed, accepted: Accepted[], policy: TrustPolicy, now: number): PreparedBatch {
  const isPublic = feed.tlp === 'CLEAR';
  // Workers' correlated/expired events restate what is already public: never held.
  const bypass = input.kind !== undefined;
  const established = isEstablished(
    { trustLevel: feed.trust_level, createdAt: new Date(feed.created_at), plan: feed.plan, retractedReports: feed.retracted_reports, isSystem: feed.is_system, emailVerified: feed.email_verified },
    policy.config,
    now,
  );
  const holds = (a: Accepted) => isPublic && !bypass && (!established || a.warnings.length > 0);
  // One upsert row per distinct indicator, aggregated here.
  const groups = new Map<string, Group>();
  for (const a of accepted) {
    const key = keyOf(a.type, a.value);
    const held = holds(a);
    let g = groups.get(key);
    if (!g) {
      g = { type: a.type, value: a.value, first: a.t, firstAt: a.at, last: a.t, lastAt: a.at, n: 0, pn: 0, pFirst: Infinity, pFirstAt: null, pLast: -Infinity, pLastAt: null, hn: 0 };
      groups.set(key, g);
    }
    if (a.t < g.first) [g.first, g.firstAt] = [a.t, a.at];
    if (a.t > g.last) [g.last, g.lastAt] = [a.t, a.at];
    g.n += 1;
    if (held) g.hn += 1;
    else if (isPublic) {
      g.pn += 1;
      if (a.t < g.pFirst) [g.pFirst, g.pFirstAt] = [a.t, a.at];
      if (a.t > g.pLast) [g.pLast, g.pLastAt] = [a.t, a.at];
    }
  }
  // In (type, value) order so that concurrent batches lock indicator rows in the same order (no
  // deadlock between two of them).
  const sorted = [...groups.values()].sort((x, y) => (x.type < y.type ? -1 : x.type > y.type ? 1 : x.value < y.value ? -1 : x.value > y.value ? 1 : 0));
  const indicators: PreparedBatch['indicators'] = { t: [], v: [], f: [], l: [], n: [], pf: [], pl: [], pn: [], hn: [] };
  for (const g of sorted) {
    indicators.t.push(g.type);
    indicators.v.push(g.value);
    indicators.f.push(g.firstAt);
    indicators.l.push(g.lastAt);
    indicators.n.push(g.n);
    indicators.pf.push(g.pFirstAt);
    indicators.pl.push(g.pLastAt);
    indicators.pn.push(g.pn);
    indicators.hn.push(g.hn);
  }
  const sightings: PreparedBatch['sightings'] = { t: [], v: [], pub: [], h: [], w: [], g: [], c: [], d: [], r: [], p: [], at: [] };
  for (const a of accepted) {
    const held = holds(a);
    sightings.t.push(a.type);
    sightings.v.push(a.value);
    sightings.pub.push(isPublic && !held);
    sightings.h.push(held);
    sightings.w.push(pgTextArray(a.warnings));
    sightings.g.push(pgTextArray(a.item.tags));
    sightings.c.push(a.item.confidence);
    sightings.d.push(a.item.description ?? null);
    sightings.r.push(a.item.reference ?? null);
    sightings.p.push(a.port);
    sightings.at.push(a.at);
  }
  return { feed, isPublic, accepted, groups, holds, indicators, sightings };
}

async function writeBatch(tx: SqlSession, input: IngestInput, prepared: PreparedBatch, policy: TrustPolicy, now: number) {
  let batch = prepared;
  const kinds = new Map<number, Written>();
  const duplicates = input.federated ? await claimOrigins(tx, input.federated, batch.accepted) : undefined;
  if (duplicates?.size) {
    const rest = batch.accepted.filter((a) => !duplicates.has(a.index));
    if (!rest.length) return { kinds, duplicates };
    batch = prepareBatch(input, batch.feed, rest, policy, now);
  }
  const { feed, isPublic, accepted, groups, holds, indicators: g, sightings: s } = batch;
  const reporterId = input.federated?.reporterId ?? input.ownerId;
  // Distinct reporters: this reporter saw these values now (system feeds are not reporters).
  const countsReporter = isPublic && (!feed.is_system || !!input.federated);

  // 1–3 in one statement, columns passed as arrays to unnest():
  //  - the feed is locked FOR SHARE (it cannot be deleted or change TLP under this batch); if it
  //    did since it was read, nothing is written and the batch is prepared again;
  //  - one upsert per distinct indicator (in prepareBatch's order). A retracted indicator's public
  //    counters do not move: its new sightings stay with their reporter;
  //  - one sighting per accepted item, in submission order: public, held, or (a retracted value)
  //    neither — the reporter sees all of them;
  //  - the reporter's row per indicator (public once one of its sightings is).
  const upserted = await tx.query<IndicatorRow>(
    `WITH feed AS MATERIALIZED (
       SELECT 1 FROM feeds WHERE id = $1::uuid AND tlp::text = $2 FOR SHARE
     ), up AS (
       INSERT INTO indicators (type, value, first_seen, last_seen, count, public_first_seen, public_last_seen, public_count, held_count)
       SELECT x.t::"IndicatorType", x.v, x.f, x.l, x.n, x.pf, x.pl, x.pn, x.hn
       FROM unnest($4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::int[], $9::timestamptz[], $10::timestamptz[], $11::int[], $12::int[])
         WITH ORDINALITY AS x(t, v, f, l, n, pf, pl, pn, hn, o)
       WHERE EXISTS (SELECT FROM feed)
       ORDER BY x.o
       ON CONFLICT (type, value) DO UPDATE SET
         first_seen = LEAST(indicators.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(indicators.last_seen, EXCLUDED.last_seen),
         count = indicators.count + EXCLUDED.count,
         public_first_seen = CASE WHEN indicators.retracted_at IS NULL THEN LEAST(indicators.public_first_seen, EXCLUDED.public_first_seen) ELSE indicators.public_first_seen END,
         public_last_seen = CASE WHEN indicators.retracted_at IS NULL THEN GREATEST(indicators.public_last_seen, EXCLUDED.public_last_seen) ELSE indicators.public_last_seen END,
         public_count = indicators.public_count + CASE WHEN indicators.retracted_at IS NULL THEN EXCLUDED.public_count ELSE 0 END,
         held_count = indicators.held_count + CASE WHEN indicators.retracted_at IS NULL THEN EXCLUDED.held_count ELSE 0 END
       RETURNING id, type, value, public_first_seen, public_last_seen, public_count, held_count, retracted_at IS NOT NULL AS retracted, xmax = 0 AS inserted
     ), sighted AS (
       INSERT INTO sightings (indicator_id, feed_id, reporter_id, is_public, held, warnings, retracted, tags, confidence, description, reference, port, reported_at)
       SELECT up.id, $1::uuid, $3::uuid, x.pub AND NOT up.retracted, x.h AND NOT up.retracted, x.w::text[], $13::boolean AND up.retracted, x.g::text[], x.c, x.d, x.r, x.p, x.at
       FROM unnest($14::text[], $15::text[], $16::boolean[], $17::boolean[], $18::text[], $19::text[], $20::int[], $21::text[], $22::text[], $23::int[], $24::timestamptz[])
         WITH ORDINALITY AS x(t, v, pub, h, w, g, c, d, r, p, at, o)
       JOIN up ON up.value = x.v AND up.type = x.t::"IndicatorType"
       ORDER BY x.o
     ), reported AS (
       INSERT INTO indicator_reporters (indicator_id, reporter_id, last_at, public)
       SELECT up.id, $3::uuid, $25::timestamptz, x.pn > 0 AND NOT up.retracted
       FROM unnest($4::text[], $5::text[], $11::int[]) AS x(t, v, pn)
       JOIN up ON up.value = x.v AND up.type = x.t::"IndicatorType"
       WHERE $26::boolean
       ORDER BY up.id
       ON CONFLICT (indicator_id, reporter_id) DO UPDATE SET
         last_at = GREATEST(indicator_reporters.last_at, EXCLUDED.last_at), public = indicator_reporters.public OR EXCLUDED.public
     )
     SELECT id::text AS id, type::text AS type, value, ${ISO_UTC('public_first_seen')} AS public_first_seen, ${ISO_UTC('public_last_seen')} AS public_last_seen,
            public_count, held_count, retracted, inserted
     FROM up`,
    [
      feed.id, feed.tlp, reporterId,
      g.t, g.v, g.f, g.l, g.n, g.pf, g.pl, g.pn, g.hn,
      isPublic,
      s.t, s.v, s.pub, s.h, s.w, s.g, s.c, s.d, s.r, s.p, s.at,
      new Date(now).toISOString(), countsReporter,
    ],
  );
  if (!upserted.length) throw new FeedChanged();
  if (!isPublic) return { kinds, duplicates };
  const byKey = new Map(upserted.map((row) => [keyOf(row.type, row.value), row]));

  // The tallies of a value this batch created are known without asking: its one reporter, no
  // disputes (no other transaction can see the row yet). Only values seen before are read.
  const sinceMs = now - policy.config.TRUST_CORROBORATION_WINDOW_HOURS * 3_600_000;
  const since = new Date(sinceMs).toISOString();
  const tallies = await readTallies(tx, upserted.filter((r) => !r.inserted).map((r) => r.id), since);
  for (const r of upserted) {
    if (!r.inserted) continue;
    const published = groups.get(keyOf(r.type, r.value))!.pn > 0;
    tallies.set(r.id, countsReporter ? { pub: published ? 1 : 0, recent: now > sinceMs ? 1 : 0, disputes: 0 } : { pub: 0, recent: 0, disputes: 0 });
  }

  // 4. Corroboration: a held value that enough distinct reporters saw within the window is released
  //    — all its held sightings become public at once, and it streams as one event. (Rare: a few
  //    values per batch at most, so its statements stay simple.)
  const releasable = upserted.filter((r) => r.held_count > 0 && !r.retracted && (tallies.get(r.id)?.recent ?? 0) >= policy.config.TRUST_CORROBORATION_REPORTERS);
  const released = new Map<string, { row: IndicatorRow; before: number; tags: Set<string>; confidence: number; last: string }>();
  if (releasable.length) {
    const flipped = await tx.query<{ indicator_id: string; reporter_id: string; reported_at: Date | string; is_public: boolean; tags: string[] | null; confidence: number }>(
      `UPDATE sightings s SET is_public = (f.tlp = 'CLEAR'), held = false FROM feeds f
       WHERE f.id = s.feed_id AND s.held AND s.indicator_id = ANY($1::bigint[])
       RETURNING s.indicator_id::text AS indicator_id, s.reporter_id::text AS reporter_id, s.reported_at, s.is_public, s.tags, s.confidence`,
      [releasable.map((r) => r.id)],
    );
    const agg = new Map<string, { n: number; first: number; last: number; reporters: Set<string>; tags: Set<string>; confidence: number }>();
    for (const f of flipped) {
      if (!f.is_public) continue;
      const t = new Date(f.reported_at).getTime();
      const a = agg.get(f.indicator_id) ?? { n: 0, first: t, last: t, reporters: new Set<string>(), tags: new Set<string>(), confidence: 0 };
      a.n += 1;
      a.first = Math.min(a.first, t);
      a.last = Math.max(a.last, t);
      a.reporters.add(f.reporter_id);
      for (const tag of f.tags ?? []) a.tags.add(tag);
      a.confidence = Math.max(a.confidence, f.confidence);
      agg.set(f.indicator_id, a);
    }
    const updates = [...agg].map(([id, a]) => ({ id, n: a.n, f: new Date(a.first).toISOString(), l: new Date(a.last).toISOString(), r: [...a.reporters] }));
    const after = updates.length
      ? await tx.query<IndicatorRow>(
          `UPDATE indicators i SET public_count = i.public_count + x.n, public_first_seen = LEAST(i.public_first_seen, x.f),
             public_last_seen = GREATEST(i.public_last_seen, x.l), held_count = 0
           FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, n int, f timestamptz, l timestamptz)
           WHERE i.id = x.id
           RETURNING i.id::text AS id, i.type::text AS type, i.value, ${ISO_UTC('i.public_first_seen')} AS public_first_seen,
             ${ISO_UTC('i.public_last_seen')} AS public_last_seen, i.public_count, i.held_count, false AS retracted`,
          [JSON.stringify(updates)],
        )
      : [];
    await tx.query(`UPDATE indicators SET held_count = 0 WHERE id = ANY($1::bigint[]) AND held_count > 0`, [releasable.map((r) => r.id)]);
    if (updates.length) {
      await tx.query(
        `UPDATE indicator_reporters r SET public = true FROM jsonb_to_recordset($1::jsonb) AS x(id bigint, r jsonb)
         WHERE r.indicator_id = x.id AND r.reporter_id::text IN (SELECT jsonb_array_elements_text(x.r))`,
        [JSON.stringify(updates)],
      );
      for (const [id, t] of await readTallies(tx, updates.map((u) => u.id), since)) tallies.set(id, t);
    }
    for (const row of after) {
      const a = agg.get(row.id)!;
      released.set(row.id, { row, before: row.public_count - a.n, tags: a.tags, confidence: a.confidence, last: new Date(a.last).toISOString() });
    }
  }

  // 5. One outbox event per published sighting, one per released value. The public_* counters are
  //    the only ones an event may show; `new` marks the indicator's first public sighting ever.
  const seenInBatch = new Map<string, number>();
  const events: FirehoseEventBody[] = [];
  const expiryOf = batchExpiries(policy.lifetimes);
  const indicatorOf = (row: IndicatorRow, count: number, tags: string[], base: number, extra: { warnings: string[]; enrichment: IpEnrichment; corroborated?: true }) => {
    const tally = tallies.get(row.id) ?? { pub: 0, recent: 0, disputes: 0 };
    const lastSeen = row.public_last_seen ?? '';
    return {
      indicator: {
        type: row.type,
        value: row.value,
        tags,
        confidence: eventConfidence(base, Math.max(1, tally.pub), tally.disputes),
        firstSeen: row.public_first_seen ?? '',
        lastSeen,
        count,
        reporters: tally.pub,
        warnings: extra.warnings,
        ...(extra.corroborated ? { corroborated: true } : {}),
        ...extra.enrichment,
      },
      expiresAt: expiryOf(row.type, lastSeen),
    };
  };
  const releaseEvents = new Map<string, string>();
  for (const a of accepted) {
    const key = keyOf(a.type, a.value);
    const row = byKey.get(key)!;
    const rel = released.get(row.id);
    if (rel) {
      let id = releaseEvents.get(row.id);
      if (!id) {
        id = randomUUID();
        releaseEvents.set(row.id, id);
        const kind: EventKind = rel.before === 0 ? 'new' : 'sighting';
        const body = indicatorOf(rel.row, rel.row.public_count, [...rel.tags].sort(), rel.confidence, { warnings: a.warnings, enrichment: a.enrichment, corroborated: true });
        events.push({ id, kind, ...body, feed: { slug: feed.slug, owner: feed.owner_id }, reportedAt: rel.last });
      }
      kinds.set(a.index, { kind: rel.before === 0 ? 'new' : 'sighting', eventId: id });
      continue;
    }
    if (holds(a) || row.retracted) {
      kinds.set(a.index, { kind: 'sighting', eventId: '', held: true });
      continue;
    }
    const group = groups.get(key)!;
    const k = (seenInBatch.get(key) ?? 0) + 1;
    seenInBatch.set(key, k);
    const count = row.public_count - group.pn + k;
    const kind: EventKind = input.kind ?? (count === 1 ? 'new' : 'sighting');
    const id = randomUUID();
    kinds.set(a.index, { kind, eventId: id });
    const body = indicatorOf(row, count, a.item.tags, a.item.confidence, { warnings: [], enrichment: a.enrichment });
    const origin = input.federated?.origins[a.index];
    events.push({
      id,
      kind,
      ...body,
      feed: { slug: feed.slug, owner: feed.owner_id },
      reportedAt: a.at,
      ...(origin ? { origin: { instance: origin.instance, eventId: origin.eventId, hops: origin.hops } } : {}),
    });
  }
  if (events.length) {
    // One JSON text for all payloads (jsonb must parse it once anyway); the event id is inside.
    await tx.query(
      `INSERT INTO outbox (event_id, payload)
       SELECT (x.p->>'id')::uuid, x.p FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS x(p, o)
       ORDER BY x.o`,
      [JSON.stringify(events)],
    );
  }
  return { kinds, duplicates };
}

/**
 * Claims the origins of a peer's events (sorted, so that two batches never wait on each other in
 * opposite orders): an origin claimed by a committed or concurrent transaction comes back as a
 * duplicate — the second waits for the first and then does nothing.
 */
async function claimOrigins(tx: SqlSession, federated: NonNullable<IngestInput['federated']>, accepted: Accepted[]): Promise<Set<number>> {
  const rows = accepted
    .map((a) => ({ x: a.index, i: federated.origins[a.index]?.instance, e: federated.origins[a.index]?.eventId, h: federated.origins[a.index]?.hops ?? 0, r: federated.origins[a.index]?.reporters ?? null }))
    .filter((r): r is { x: number; i: string; e: string; h: number; r: number | null } => typeof r.i === 'string' && typeof r.e === 'string')
    .sort((p, q) => (p.i < q.i ? -1 : p.i > q.i ? 1 : p.e < q.e ? -1 : p.e > q.e ? 1 : 0));
  const claimed = await tx.query<{ i: string; e: string }>(
    `INSERT INTO federated_events (origin_instance, origin_event_id, hops, reporters, link_name)
     SELECT DISTINCT ON (x.i, x.e) x.i, x.e, x.h, x.r, $2 FROM jsonb_to_recordset($1::jsonb) AS x(i text, e text, h int, r int) ORDER BY x.i, x.e
     ON CONFLICT DO NOTHING RETURNING origin_instance AS i, origin_event_id AS e`,
    [JSON.stringify(rows), federated.link],
  );
  const fresh = new Set(claimed.map((c) => keyOf(c.i, c.e)));
  const duplicates = new Set<number>();
  for (const a of accepted) {
    const origin = federated.origins[a.index];
    const key = origin ? keyOf(origin.instance, origin.eventId) : null;
    // An item without an origin, or a second item with the same origin in this batch, is a duplicate too.
    if (!key || !fresh.delete(key)) duplicates.add(a.index);
  }
  return duplicates;
}

interface Tally {
  /** Distinct reporters with a public sighting. */
  pub: number;
  /** Distinct reporters (public or held) within the corroboration window. */
  recent: number;
  /** Open disputes. */
  disputes: number;
}

async function readTallies(tx: SqlSession, ids: string[], since: string): Promise<Map<string, Tally>> {
  if (!ids.length) return new Map();
  const rows = await tx.query<{ id: string; pub: number; recent: number; disputes: number }>(
    `SELECT x.id::text AS id,
       (SELECT count(*) FROM indicator_reporters r WHERE r.indicator_id = x.id AND r.public)::int AS pub,
       (SELECT count(*) FROM indicator_reporters r WHERE r.indicator_id = x.id AND r.last_at > $2::timestamptz)::int AS recent,
       (SELECT count(*) FROM indicator_disputes d WHERE d.indicator_id = x.id AND d.status = 'open')::int AS disputes
     FROM unnest($1::bigint[]) AS x(id)`,
    [ids, since],
  );
  return new Map(rows.map((r) => [r.id, { pub: r.pub, recent: r.recent, disputes: r.disputes }]));
}
