// The receiving side of a link (docs/federation.md): a frame of the remote firehose is screened
// (the event's shape, kinds, origin, hops, inbound rules), ingested through the one ingest function
// — which validates each value exactly as a local submission — into the system feed `peer:<link>`,
// each origin claimed once under a unique key, and only then is the link's cursor advanced (by the
// lease holder only). A crash between the two replays the frame, and the claimed origins make the
// replay a no-op. Nothing a peer sends can make the frame fail for good: an event that is not a
// well-formed firehose event is dropped, not retried.
//
// Reporters: an origin instance counts as a reporter of its own only when this instance is linked
// to it (its id is some link's remote_instance); an event from an instance nobody here knows is
// credited to the link it came over — a peer can vouch for itself, not invent others.
import { z } from 'zod';
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import { isCursor } from '../engines/log/types';
import type { FirehoseEvent } from '../events';
import type { IngestInput, IngestResult } from '../ingest';
import { INGEST_LIMITS } from '../ingest/schemas';
import { countPeerEvents } from './counters';
import { isInstanceId } from './instance';
import { FEDERATED_KINDS, peerFeedSlug, type CompiledRules } from './rules';

const originSchema = z.object({
  instance: z.string().refine(isInstanceId, 'an instance id'),
  eventId: z.string().refine(isInstanceId, 'an event id (uuid)'),
  hops: z.number().int().min(0).max(1000),
});

/**
 * What the inbound rules and the link read of an event, checked before either does: a hostile
 * shape (tags that are not an array, no feed) made the rules throw and the frame fail forever. The
 * values themselves are the ingest function's to judge, like a local submission's.
 */
const peerEventSchema = z.object({
  kind: z.string(),
  indicator: z.object({
    type: z.string().max(32),
    value: z.string().max(8192),
    tags: z.array(z.string().max(256)).max(1000),
    confidence: z.number(),
    // Only recorded with the origin; a value no int column holds is forgotten, not fatal.
    reporters: z.number().int().min(0).max(1_000_000_000).optional().catch(undefined),
  }),
  feed: z.object({ slug: z.string().max(256), owner: z.string().max(256) }),
  reportedAt: z.string().max(64),
  origin: originSchema,
});

export interface ReceiveDeps {
  sql: SqlDriver;
  /** The one ingest function, with this node's post-processing hook. */
  ingest(input: IngestInput): Promise<IngestResult>;
  localInstance: string;
  maxHops: number;
}

export interface ReceivingLink {
  id: string;
  name: string;
  /** Lease owner: the cursor is written only while this node holds the link. */
  owner: string;
  /** The system user owning the peer feeds. */
  systemUserId: string;
  inbound: CompiledRules;
}

/** The reporter standing for what came over `link` from instances not linked here. */
async function ensureLinkReporter(sql: SqlSession, linkName: string): Promise<string> {
  return ensureReporter(sql, `link-${linkName}`, `Peer link ${linkName}`);
}

export interface ReceiveOutcome {
  /** Events that became sightings here. */
  applied: number;
  /** Already here (same origin, through another path or a replay). */
  duplicates: number;
  /** Refused: our own, too many hops, not a sighting, outside the inbound rules, invalid. */
  dropped: number;
  cursor: string | null;
}

export class LeaseLostError extends Error {
  constructor(link: string) {
    super(`the lease of peer link ${link} was taken by another node`);
  }
}

const reporterCache = new WeakMap<object, Map<string, string>>();

/** The local reporter standing for every report that originated on `instance` (no password, no token). */
export async function ensureInstanceReporter(sql: SqlSession, instance: string): Promise<string> {
  return ensureReporter(sql, `instance-${instance.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`, `Instance ${instance}`);
}

async function ensureReporter(sql: SqlSession, key: string, name: string): Promise<string> {
  let byKey = reporterCache.get(sql);
  if (!byKey) reporterCache.set(sql, (byKey = new Map()));
  const cached = byKey.get(key);
  if (cached) return cached;
  const email = `${key}@peers.sluice.invalid`;
  // '!' is not an argon2 hash: nobody can sign in as an instance.
  await sql.query(`INSERT INTO users (email, password_hash, name) VALUES ($1, '!', $2) ON CONFLICT (email) DO NOTHING`, [email, name]);
  const [row] = await sql.query<{ id: string }>(`SELECT id::text AS id FROM users WHERE email = $1`, [email]);
  if (!row) throw new Error(`the reporter ${name} could not be created`);
  byKey.set(key, row.id);
  return row.id;
}

/**
 * Instances this instance is linked to (each link's remote, as it said when it connected here), and
 * the remote of `linkId` (null until it connected here: a link that only follows never learns it).
 */
async function linkedInstances(sql: SqlSession, linkId: string): Promise<{ known: Set<string>; remote: string | null }> {
  const rows = await sql.query<{ id: string; remote_instance: string }>(`SELECT id::text AS id, remote_instance FROM peer_links WHERE remote_instance IS NOT NULL`);
  const linked = rows.filter((r) => isInstanceId(r.remote_instance));
  return { known: new Set(linked.map((r) => r.remote_instance)), remote: linked.find((r) => r.id === linkId)?.remote_instance ?? null };
}

export async function applyPeerBatch(deps: ReceiveDeps, link: ReceivingLink, events: FirehoseEvent[]): Promise<ReceiveOutcome> {
  const outcome: ReceiveOutcome = { applied: 0, duplicates: 0, dropped: 0, cursor: null };
  const groups = new Map<string, { items: unknown[]; origins: NonNullable<IngestInput['federated']>['origins'] }>();
  const { known, remote } = events.length ? await linkedInstances(deps.sql, link.id) : { known: new Set<string>(), remote: null };
  let newest: FirehoseEvent | null = null;
  for (const raw of events) {
    // A cursor that is not one (a NUL, a megabyte) is never stored: the link keeps the last good one.
    const cursor = (raw as { cursor?: unknown } | null)?.cursor;
    if (isCursor(cursor)) outcome.cursor = cursor;
    const parsed = peerEventSchema.safeParse(raw);
    if (!parsed.success) {
      outcome.dropped += 1;
      continue;
    }
    const event = raw;
    const { indicator, origin } = parsed.data;
    if (
      !FEDERATED_KINDS.has(event.kind) ||
      origin.instance === deps.localInstance || // our own event, come back around a loop
      origin.hops + 1 > deps.maxHops ||
      !link.inbound.matches(event)
    ) {
      outcome.dropped += 1;
      continue;
    }
    // Grouped by the reporter it is credited to: its origin when linked here, else the peer that
    // vouches for it — the link's remote instance, or the link itself ('') while that is unknown.
    const reporter = known.has(origin.instance) ? origin.instance : (remote ?? '');
    let group = groups.get(reporter);
    if (!group) groups.set(reporter, (group = { items: [], origins: [] }));
    group.items.push({
      value: indicator.value,
      type: indicator.type,
      tags: indicator.tags.slice(0, INGEST_LIMITS.maxTags),
      confidence: indicator.confidence,
      reportedAt: event.reportedAt,
    });
    group.origins.push({ ...origin, hops: origin.hops + 1, reporters: indicator.reporters });
    newest = event;
  }
  for (const [instance, group] of groups) {
    const reporterId = instance ? await ensureInstanceReporter(deps.sql, instance) : await ensureLinkReporter(deps.sql, link.name);
    for (let start = 0; start < group.items.length; start += INGEST_LIMITS.maxItems) {
      const result = await deps.ingest({
        ownerId: link.systemUserId,
        feed: peerFeedSlug(link.name),
        items: group.items.slice(start, start + INGEST_LIMITS.maxItems),
        federated: { link: link.name, reporterId, origins: group.origins.slice(start, start + INGEST_LIMITS.maxItems) },
      });
      outcome.applied += result.accepted;
      for (const r of result.results) {
        if (r.status !== 'rejected') continue;
        if (r.code === 'duplicate') outcome.duplicates += 1;
        else outcome.dropped += 1;
      }
    }
  }
  if (outcome.cursor !== null) {
    const reported = newest ? Date.parse(newest.reportedAt) : NaN;
    const saved = await deps.sql.query(
      `UPDATE peer_links SET cursor = $3, connected = true, updated_at = now(),
         last_event_at = CASE WHEN $4::boolean THEN now() ELSE last_event_at END, lag_ms = COALESCE($5::int, lag_ms)
       WHERE id = $1::uuid AND lease_owner = $2 RETURNING id`,
      [link.id, link.owner, outcome.cursor, newest !== null, Number.isFinite(reported) ? Math.max(0, Math.min(2_000_000_000, Date.now() - reported)) : null],
    );
    if (!saved.length) throw new LeaseLostError(link.name);
  }
  countPeerEvents(link.id, 'in', outcome.applied);
  return outcome;
}
