// Serving the exports cheaply: per tier, one snapshot per EXPORTS_INTERVAL_SECONDS per node (one
// query, single-flight, stale-while-revalidate) with in-memory indexes by type, tag and feed; each
// body rendered once per snapshot and key, kept in a least-recently-used cache bounded in entries and
// bytes. A request costs at most one pass over the smallest index list its filters name (bounded by
// EXPORTS_MAX_ROWS), never a query: nothing a visitor chooses multiplies the database's work.
// The body is kept encoded (UTF-8 bytes, and gzip made on first demand), so serving it again
// costs a write of bytes already made (lib/exports/serve-export.ts, server/export-edge.ts).
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { SqlDriver } from '../db/sql-driver';
import { sharedCache } from '../threats/cache';
import type { ExportsConfig } from './config';
import { renderExport } from './formats';
import { loadExportSnapshot } from './load-export-snapshot';
import { exportKey, FORMAT_TYPES } from './parse-export-request';
import type { ExportQuery, ExportRow, ExportSnapshot, ExportTier } from './types';
import { etagMatches } from '../http/page-snapshot';
import { processSlot } from '../process-state';

export interface IndexedSnapshot extends ExportSnapshot {
  byType: Map<string, ExportRow[]>;
  byTag: Map<string, ExportRow[]>;
  byFeed: Map<string, ExportRow[]>;
}

export interface ExportBody {
  /** The body as text (decoded from `bytes` on each read: for tests and callers that want a string). */
  readonly body: string;
  /** The body's UTF-8 bytes, made once per snapshot and key. */
  bytes: Buffer;
  /** The gzip form of `bytes`, compressed once, on the first request that accepts it. */
  gzip(): Buffer;
  etag: string;
  lastModified: Date;
  /** Rows written (before the format skipped any it could not write safely). */
  count: number;
  snapshot: IndexedSnapshot;
}

/** Rendered bodies kept per node: at most this many… */
export const BODY_CACHE_ENTRIES = 400;
/** …and this many bytes in all. */
export const BODY_CACHE_BYTES = 96 * 1024 * 1024;

export interface ExportDeps {
  sql: SqlDriver;
  config: ExportsConfig;
  baseUrl: string;
  now?: () => number;
}

function push(map: Map<string, ExportRow[]>, key: string, row: ExportRow) {
  const list = map.get(key);
  if (list) list.push(row);
  else map.set(key, [row]);
}

export function indexSnapshot(snapshot: ExportSnapshot): IndexedSnapshot {
  const byType = new Map<string, ExportRow[]>();
  const byTag = new Map<string, ExportRow[]>();
  const byFeed = new Map<string, ExportRow[]>();
  for (const row of snapshot.rows) {
    push(byType, row.type, row);
    for (const tag of row.tags) push(byTag, tag, row);
    for (const feed of row.feeds) push(byFeed, feed, row);
  }
  return { ...snapshot, byType, byTag, byFeed };
}

/** The tier's snapshot, loaded at most once per interval per node. */
export function getExportSnapshot(deps: ExportDeps, tier: ExportTier): Promise<IndexedSnapshot> {
  const ttlMs = deps.config.EXPORTS_INTERVAL_SECONDS * 1000;
  const cache = sharedCache<IndexedSnapshot>('export-snapshot', deps.sql, { ttlMs, staleMs: ttlMs * 4, maxEntries: 2, now: deps.now });
  return cache.get(tier, async () => {
    const now = (deps.now ?? Date.now)();
    const delay = tier === 'free' ? deps.config.EXPORTS_FREE_DELAY_SECONDS * 1000 : 0;
    const snapshot = await loadExportSnapshot(deps.sql, { tier, asOf: new Date(now - delay), maxRows: deps.config.EXPORTS_MAX_ROWS, now: new Date(now) });
    return indexSnapshot(snapshot);
  });
}

/** The rows of one export: the smallest index list its filters name, filtered by the rest. */
export function selectRows(snapshot: IndexedSnapshot, q: ExportQuery): ExportRow[] {
  const allowed = new Set<string>(q.type ? [q.type] : FORMAT_TYPES[q.format]);
  const candidates: ExportRow[][] = [];
  if (q.tag) candidates.push(snapshot.byTag.get(q.tag) ?? []);
  if (q.feed) candidates.push(snapshot.byFeed.get(q.feed) ?? []);
  if (q.type) candidates.push(snapshot.byType.get(q.type) ?? []);
  const list = candidates.length ? candidates.reduce((a, b) => (b.length < a.length ? b : a)) : snapshot.rows;
  const since = new Date(Date.parse(snapshot.asOf) - q.days * 86_400_000).toISOString();
  return list.filter(
    (r) =>
      allowed.has(r.type) &&
      r.confidence >= q.minConfidence &&
      r.lastSeen >= since &&
      (!q.tag || r.tags.includes(q.tag)) &&
      (!q.feed || r.feeds.includes(q.feed)),
  );
}

class CachedBody implements ExportBody {
  private gzipped: Buffer | null = null;

  constructor(
    private readonly key: string,
    readonly snapshot: IndexedSnapshot,
    readonly bytes: Buffer,
    readonly etag: string,
    readonly lastModified: Date,
    readonly count: number,
  ) {}

  get body(): string {
    return this.bytes.toString('utf8');
  }

  gzip(): Buffer {
    if (!this.gzipped) {
      this.gzipped = gzipSync(this.bytes, { level: 6 });
      // Counted against the bound while the cache still holds this entry (not after its eviction).
      const cache = bodyCache();
      if (cache.entries.get(this.key) === this) cache.bytes += this.gzipped.length;
    }
    return this.gzipped;
  }

  /** Bytes held, for the cache's bound. */
  get size(): number {
    return this.bytes.length + (this.gzipped?.length ?? 0);
  }
}

const bodyCache = () => processSlot('exportBodies', () => ({ entries: new Map<string, CachedBody>(), bytes: 0 }));

const etagOf = (body: string) => `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;

/**
 * The body of one export for one tier. Rendered once per snapshot and key; when a new snapshot gives
 * the same bytes, the ETag and Last-Modified stay (pollers keep getting 304s).
 */
export async function getExport(deps: ExportDeps, tier: ExportTier, q: ExportQuery): Promise<ExportBody> {
  const snapshot = await getExportSnapshot(deps, tier);
  const cache = bodyCache();
  const key = `${tier}\u0000${exportKey(q)}`;
  const cached = cache.entries.get(key);
  if (cached) {
    cache.entries.delete(key); // most recently used goes last
    cache.entries.set(key, cached);
    if (cached.snapshot === snapshot) return cached;
  }
  const rows = selectRows(snapshot, q);
  const meta = { tier, delaySeconds: tier === 'free' ? deps.config.EXPORTS_FREE_DELAY_SECONDS : 0, truncated: snapshot.truncated, query: q, baseUrl: deps.baseUrl };
  let lastModified = cached?.lastModified ?? new Date(snapshot.generatedAt);
  let body = renderExport(rows, { ...meta, lastModified });
  let etag = etagOf(body);
  if (cached && etag !== cached.etag) {
    // The content changed since the last snapshot: it is modified now.
    lastModified = new Date(snapshot.generatedAt);
    body = renderExport(rows, { ...meta, lastModified });
    etag = etagOf(body);
  }
  const entry = new CachedBody(key, snapshot, Buffer.from(body, 'utf8'), etag, lastModified, rows.length);
  if (cached) cache.bytes -= cached.size;
  cache.entries.delete(key);
  cache.entries.set(key, entry);
  cache.bytes += entry.size;
  while (cache.entries.size > BODY_CACHE_ENTRIES || (cache.bytes > BODY_CACHE_BYTES && cache.entries.size > 1)) {
    const [oldestKey, oldest] = cache.entries.entries().next().value as [string, CachedBody];
    cache.entries.delete(oldestKey);
    cache.bytes -= oldest.size;
  }
  return entry;
}

/** True when the request's validators match (answer 304): If-None-Match first, else If-Modified-Since. */
export function notModified(headers: Pick<Headers, 'get'>, body: Pick<ExportBody, 'etag' | 'lastModified'>): boolean {
  const inm = headers.get('if-none-match');
  if (inm !== null) return etagMatches(inm, body.etag);
  const ims = headers.get('if-modified-since');
  if (ims) {
    const since = Date.parse(ims);
    if (!Number.isNaN(since)) return Math.floor(body.lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}
