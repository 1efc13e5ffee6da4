// A collection's objects, a page at a time (TAXII 2.1 §5.3–5.8): Get Objects, Get Object Manifests,
// Get an Object and Get Object Versions all read this one keyset page over the projection's `seq`
// (lib/stix/rows.ts). The instance's identity and the TLP:CLEAR marking, which every object refers
// to, come first in every collection (seq -1 and 0, dated when the instance's log was created).
import type { SqlDriver } from '../db/sql-driver';
import { encodeStixCursor } from '../stix/cursor';
import { stixIdUuid } from '../stix/ids';
import { tlp2Marking } from '../stix/markings';
import { stixIdentity, stixObjectOf, type StixInstance, type StixObject, type StixRow } from '../stix/objects';
import { nameStixObjects, publicInFeed, queryStixRows } from '../stix/rows';
import type { TrustPolicy } from '../trust/policy';
import { STIX_MEDIA_TYPE } from './media';
import type { TaxiiQuery } from './query';

export interface TaxiiContext {
  instance: StixInstance;
  lifetimes: TrustPolicy['lifetimes'];
}

/** One object of a page: the STIX object and its TAXII bookkeeping. */
export interface TaxiiItem {
  seq: string;
  object: StixObject;
  dateAdded: string;
  version: string;
}

export interface TaxiiPage {
  items: TaxiiItem[];
  more: boolean;
  next: string | null;
}

/** Microseconds since the epoch of an RFC 3339 timestamp (bigint: beyond double precision). */
export function toMicros(ts: string): bigint {
  const m = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/i.exec(ts);
  if (!m) return BigInt(Date.parse(ts)) * 1000n;
  const frac = (m[2] ?? '').padEnd(6, '0').slice(0, 6);
  return BigInt(Date.parse(`${m[1]}${m[3]}`)) * 1000n + BigInt(frac);
}

const micros = (iso: string) => iso.replace(/\.(\d{3})Z$/, '.$1000Z');

function virtualItems(ctx: TaxiiContext): TaxiiItem[] {
  const marking = tlp2Marking('CLEAR');
  const identity = stixIdentity(ctx.instance);
  const at = micros(ctx.instance.created);
  return [
    { seq: '-1', object: marking, dateAdded: at, version: marking.created },
    { seq: '0', object: identity, dateAdded: at, version: ctx.instance.created },
  ];
}

function versionMatches(versions: string[] | null, version: string): boolean {
  if (!versions || versions.some((v) => v === 'first' || v === 'last' || v === 'all')) return true; // one version is kept
  return versions.some((v) => toMicros(v) === toMicros(version));
}

/**
 * One page of a collection (feedId null: all public objects). Filters: the query's, plus `onlyId`
 * for the object endpoints. Returns at most `limit` items; `next` continues after the last one.
 */
export async function findTaxiiPage(
  sql: SqlDriver,
  ctx: TaxiiContext,
  scope: { feedId: string | null },
  q: TaxiiQuery,
  onlyId: string | null = null,
): Promise<TaxiiPage> {
  if (q.specVersions && !q.specVersions.includes('2.1')) return { items: [], more: false, next: null };
  const ids = onlyId ? [onlyId] : q.ids;
  const typeOk = (t: string) => !q.types || q.types.includes(t);
  const idOk = (id: string) => !ids || ids.includes(id);
  const addedOk = (at: string) => !q.addedAfter || toMicros(at) > toMicros(q.addedAfter);

  const virtual = virtualItems(ctx).filter(
    (v) => BigInt(v.seq) > BigInt(q.after) && typeOk(v.object.type) && idOk(v.object.id) && addedOk(v.dateAdded) && versionMatches(q.versions, v.version),
  );

  const wantIndicators = typeOk('indicator');
  const wantSightings = typeOk('sighting');
  let rows: StixRow[] = [];
  const room = q.limit - virtual.length;
  if ((wantIndicators || wantSightings) && room >= 0) {
    const params: unknown[] = [q.after, room + 1];
    const where = ['o.seq > $1::bigint'];
    if (!wantIndicators) where.push('o.feed_id IS NOT NULL');
    if (!wantSightings) where.push('o.feed_id IS NULL');
    if (q.addedAfter) where.push(`o.date_added > $${params.push(q.addedAfter)}::timestamptz`);
    if (ids) {
      const byType = (type: string) => ids.map(stixIdUuid).filter((p) => p?.type === type).map((p) => p!.uuid);
      const ind = byType('indicator');
      const sig = byType('sighting');
      if (!ind.length && !sig.length) where.push('false');
      else {
        await nameStixObjects(sql);
        const parts: string[] = [];
        if (ind.length) parts.push(`(o.feed_id IS NULL AND o.stix_id::text IN (SELECT jsonb_array_elements_text($${params.push(JSON.stringify(ind))}::jsonb)))`);
        if (sig.length) parts.push(`(o.feed_id IS NOT NULL AND o.stix_id::text IN (SELECT jsonb_array_elements_text($${params.push(JSON.stringify(sig))}::jsonb)))`);
        where.push(`(${parts.join(' OR ')})`);
      }
    }
    if (q.versions && !q.versions.some((v) => v === 'first' || v === 'last' || v === 'all')) {
      where.push(`o.modified IN (SELECT x::timestamptz FROM jsonb_array_elements_text($${params.push(JSON.stringify(q.versions))}::jsonb) AS x)`);
    }
    if (scope.feedId) {
      const p = params.push(scope.feedId);
      where.push(`(o.feed_id = $${p}::uuid OR (o.feed_id IS NULL AND ${publicInFeed(`$${p}`)}))`);
    }
    rows = await queryStixRows(sql, where.join(' AND '), params, 'ORDER BY o.seq LIMIT $2');
  }
  const dbItems = rows.map((r) => ({ seq: r.seq, object: stixObjectOf(r, ctx.instance, ctx.lifetimes), dateAdded: r.dateAdded, version: r.modified }));
  const all = [...virtual, ...dbItems];
  const more = all.length > q.limit;
  const items = more ? all.slice(0, q.limit) : all;
  return { items, more, next: more ? encodeStixCursor(items[items.length - 1].seq) : null };
}

/** The X-TAXII-Date-Added-First/Last headers of a page (none when it is empty). */
export function dateAddedHeaders(items: TaxiiItem[]): Record<string, string> {
  if (!items.length) return {};
  return { 'X-TAXII-Date-Added-First': items[0].dateAdded, 'X-TAXII-Date-Added-Last': items[items.length - 1].dateAdded };
}

/** An envelope (§3.7); the empty envelope is `{}` as in the reference server. */
export function envelopeOf(page: TaxiiPage): Record<string, unknown> {
  if (!page.items.length) return {};
  return { more: page.more, ...(page.next ? { next: page.next } : {}), objects: page.items.map((i) => i.object) };
}

export function manifestOf(page: TaxiiPage): Record<string, unknown> {
  if (!page.items.length) return {};
  return {
    more: page.more,
    ...(page.next ? { next: page.next } : {}),
    objects: page.items.map((i) => ({ id: i.object.id, date_added: i.dateAdded, version: i.version, media_type: STIX_MEDIA_TYPE })),
  };
}

export function versionsOf(page: TaxiiPage): Record<string, unknown> {
  if (!page.items.length) return {};
  return { more: page.more, ...(page.next ? { next: page.next } : {}), versions: page.items.map((i) => i.version) };
}

