// The receiving side of a link (docs/federation.md): a frame of the remote firehose is screened
// (kinds, origin, hops, inbound rules), ingested through the one ingest function into the system
// feed `peer:<link>` — one reporter per origin instance, each origin claimed once under a unique
// key — and only then is the link's cursor advanced (by the lease holder only). A crash between
// the two replays the frame, and the claimed origins make the replay a no-op.
import { z } from 'zod';
import type { SqlDriver, SqlSession } from '../db/sql-driver';
import type { FirehoseEvent } from '../events';
import type { IngestInput, IngestResult } from '../ingest';
import { INGEST_LIMITS } from '../ingest/schemas';
import { countPeerEvents } from './counters';
import { FEDERATED_KINDS, peerFeedSlug, type CompiledRules } from './rules';

const originSchema = z.object({
  instance: z.string().min(1).max(64),
  eventId: z.string().min(1).max(64),
  hops: z.number().int().min(0).max(1000),
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
  let byInstance = reporterCache.get(sql);
  if (!byInstance) reporterCache.set(sql, (byInstance = new Map()));
  const cached = byInstance.get(instance);
  if (cached) return cached;
  const email = `instance-${instance.toLowerCase().replace(/[^a-z0-9-]/g, '-')}@peers.sluice.invalid`;
  // '!' is not an argon2 hash: nobody can sign in as an instance.
  await sql.query(`INSERT INTO users (email, password_hash, name) VALUES ($1, '!', $2) ON CONFLICT (email) DO NOTHING`, [email, `Instance ${instance}`]);
  const [row] = await sql.query<{ id: string }>(`SELECT id::text AS id FROM users WHERE email = $1`, [email]);
  if (!row) throw new Error(`the reporter of instance ${instance} could not be created`);
  byInstance.set(instance, row.id);
  return row.id;
}

export async function applyPeerBatch(deps: ReceiveDeps, link: ReceivingLink, events: FirehoseEvent[]): Promise<ReceiveOutcome> {
  const outcome: ReceiveOutcome = { applied: 0, duplicates: 0, dropped: 0, cursor: null };
  const groups = new Map<string, { items: unknown[]; origins: NonNullable<IngestInput['federated']>['origins'] }>();
  let newest: FirehoseEvent | null = null;
  for (const event of events) {
    if (typeof event?.cursor === 'string') outcome.cursor = event.cursor;
    const origin = originSchema.safeParse(event?.origin);
    if (
      !origin.success ||
      !FEDERATED_KINDS.has(event.kind) ||
      origin.data.instance === deps.localInstance || // our own event, come back around a loop
      origin.data.hops + 1 > deps.maxHops ||
      typeof event.indicator?.value !== 'string' ||
      !link.inbound.matches(event)
    ) {
      outcome.dropped += 1;
      continue;
    }
    let group = groups.get(origin.data.instance);
    if (!group) groups.set(origin.data.instance, (group = { items: [], origins: [] }));
    group.items.push({
      value: event.indicator.value,
      type: event.indicator.type,
      tags: Array.isArray(event.indicator.tags) ? event.indicator.tags.slice(0, INGEST_LIMITS.maxTags) : [],
      confidence: event.indicator.confidence,
      reportedAt: event.reportedAt,
    });
    group.origins.push({ ...origin.data, hops: origin.data.hops + 1, reporters: typeof event.indicator.reporters === 'number' ? event.indicator.reporters : undefined });
    newest = event;
  }
  for (const [instance, group] of groups) {
    const reporterId = await ensureInstanceReporter(deps.sql, instance);
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
