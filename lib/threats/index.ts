// The public threats views (DESIGN.md §9: public data only), cached per database for a few seconds
// so that /threats, its exports and the landing page hold under load.
import type { SqlDriver } from '../db/sql-driver';
import { prepareSnapshotBody, type SnapshotBody } from '../http/page-snapshot';
import { parseIndicator } from '../indicators/parse-indicator';
import { processSlot } from '../process-state';
import { INDICATOR_TYPES, isIndicatorType, type IndicatorType } from '../indicators/types';
import { sharedCache } from './cache';
import { countThreatsPerHour } from './count-threats-per-hour';
import { toThreatsCsv, toThreatsJson } from './export';
import { filtersKey } from './filters';
import { findRecentThreats } from './find-recent-threats';
import { getIndicatorDetail, type IndicatorDetail } from './get-indicator-detail';
import { getPublicCheck } from './get-public-check';
import { getThreatTotals } from './get-threat-totals';
import { topTags } from './format';
import type { HourBucket, ThreatFilters, ThreatList, ThreatTotals } from './types';

export * from './cache';
export * from './count-threats-per-hour';
export * from './export';
export * from './filters';
export * from './find-recent-threats';
export * from './find-related-indicators';
export * from './format';
export * from './get-indicator-detail';
export * from './get-public-check';
export * from './get-threat-totals';
export * from './public-event';
export * from './public-feed';
export * from './types';

/** How long the public views are reused before they are regenerated, unless configured. */
export const THREATS_TTL_MS = 5_000;

const ttlSlot = () => processSlot('threatsViewTtl', () => ({ ms: THREATS_TTL_MS }));

/**
 * Sets how long the public views are reused (the node sets it to PUBLIC_SNAPSHOT_INTERVAL_MS, so
 * that a page snapshot is never older data than one interval plus its render). Call it before the
 * first view is read: caches keep the TTL they were created with.
 */
export function setThreatsViewTtl(ms: number): void {
  ttlSlot().ms = ms;
}

/** How long the public views are reused, in ms. */
export const threatsViewTtlMs = (): number => ttlSlot().ms;

export interface ThreatsView {
  list: ThreatList;
  perHour: HourBucket[];
}

/** Views outside the pinned set (rare tags, type + tag): at most this many, least recently used out. */
export const VISITOR_VIEWS = 100;
/** Tags of the unfiltered view that count as popular (their views are pinned). */
export const POPULAR_TAGS = 24;

const UNFILTERED: ThreatFilters = { type: null, tag: null };

/**
 * The list and chart for one set of filters, computed at most once per THREATS_TTL_MS per node and
 * served from memory (stale-while-revalidate, single-flight) to every request in between. Nothing a
 * visitor chooses multiplies the work or the memory: the pinned views (unfiltered, each type, the
 * popular tags of the unfiltered view) have their own bounded cache; every other filter set shares a
 * least-recently-used cache of VISITOR_VIEWS entries, so random tags evict each other, never the
 * pinned views, and an unknown tag costs one GIN index probe (see findRecentThreats).
 */
export async function getThreatsView(sql: SqlDriver, filters: ThreatFilters): Promise<ThreatsView> {
  const pinned = sharedCache<ThreatsView>('view', sql, { ttlMs: threatsViewTtlMs(), maxEntries: INDICATOR_TYPES.length * 2 + POPULAR_TAGS + 8 });
  const load = () => loadThreatsView(sql, filters);
  const key = filtersKey(filters);
  if (await isPinnedThreatsView(sql, filters)) return pinned.get(key, load);
  return sharedCache<ThreatsView>('visitor-view', sql, { ttlMs: threatsViewTtlMs(), maxEntries: VISITOR_VIEWS }).get(key, load);
}

/** Whether a filter set is one of the pinned views: unfiltered, one type, or one popular tag alone. */
export async function isPinnedThreatsView(sql: SqlDriver, filters: ThreatFilters): Promise<boolean> {
  if (!filters.tag) return true;
  return !filters.type && (await popularTags(sql)).has(filters.tag);
}

async function loadThreatsView(sql: SqlDriver, filters: ThreatFilters): Promise<ThreatsView> {
  const [list, perHour] = await Promise.all([findRecentThreats(sql, filters), countThreatsPerHour(sql, filters)]);
  return { list, perHour };
}

const popularByList = new WeakMap<ThreatList, Set<string>>();

/** The most frequent tags of the unfiltered view (the tag chips /threats links to). */
async function popularTags(sql: SqlDriver): Promise<Set<string>> {
  const { list } = await getThreatsView(sql, UNFILTERED);
  let tags = popularByList.get(list);
  if (!tags) popularByList.set(list, (tags = new Set(topTags(list.items, POPULAR_TAGS).map((t) => t.tag))));
  return tags;
}

const serialised = new WeakMap<ThreatList, { json?: string; csv?: string; prepared: Map<'json' | 'csv', ThreatsExportSnapshot> }>();

function bodiesOf(list: ThreatList) {
  let bodies = serialised.get(list);
  if (!bodies) serialised.set(list, (bodies = { prepared: new Map() }));
  return bodies;
}

/** /threats.json or /threats.csv for one set of filters: the page's list, serialised once per regeneration. */
export async function getThreatsExport(sql: SqlDriver, filters: ThreatFilters, format: 'json' | 'csv'): Promise<string> {
  const { list } = await getThreatsView(sql, filters);
  return serialise(list, format);
}

function serialise(list: ThreatList, format: 'json' | 'csv'): string {
  const bodies = bodiesOf(list);
  if (format === 'json') return (bodies.json ??= JSON.stringify(toThreatsJson(list)));
  return (bodies.csv ??= toThreatsCsv(list));
}

export interface ThreatsExportSnapshot {
  body: SnapshotBody;
  generatedAt: string;
}

/**
 * The same export as getThreatsExport, prepared once per regeneration for the HTTP edge
 * (server/page-snapshots.ts): its bytes, gzip form and validator.
 */
export async function getThreatsExportSnapshot(sql: SqlDriver, filters: ThreatFilters, format: 'json' | 'csv'): Promise<ThreatsExportSnapshot> {
  const { list } = await getThreatsView(sql, filters);
  const bodies = bodiesOf(list);
  let prepared = bodies.prepared.get(format);
  if (!prepared) {
    prepared = { body: prepareSnapshotBody(Buffer.from(serialise(list, format)), null), generatedAt: list.generatedAt };
    bodies.prepared.set(format, prepared);
  }
  return prepared;
}

export function getCachedThreatTotals(sql: SqlDriver): Promise<ThreatTotals> {
  return sharedCache<ThreatTotals>('totals', sql, { ttlMs: threatsViewTtlMs() }).get('all', () => getThreatTotals(sql));
}

export interface IndicatorPage {
  /** When this was read: "N minutes ago" is relative to it. */
  generatedAt: string;
  detail: IndicatorDetail;
  check: Awaited<ReturnType<typeof getPublicCheck>>;
}

/** The indicator page's data, or null when no public sighting exists (unknown and private alike). */
export function getCachedIndicatorPage(sql: SqlDriver, indicator: { type: IndicatorType; value: string }): Promise<IndicatorPage | null> {
  return sharedCache<IndicatorPage | null>('indicator', sql, { ttlMs: THREATS_TTL_MS, maxEntries: 1000 }).get(
    `${indicator.type}\u0000${indicator.value}`,
    async () => {
      const detail = await getIndicatorDetail(sql, indicator);
      if (!detail) return null;
      return { generatedAt: new Date().toISOString(), detail, check: await getPublicCheck(sql, indicator) };
    },
  );
}

/** The canonical indicator named by an /i/{type}/{value} URL, or null. Defanged values are accepted. */
export function parseIndicatorParams(type: string, value: string): { type: IndicatorType; value: string } | null {
  if (!isIndicatorType(type) || !value || value.length > 4096) return null;
  const parsed = parseIndicator(value, { type });
  return parsed.ok ? { type: parsed.type, value: parsed.value } : null;
}
export * from './browse-public-indicators';
export * from './find-public-feeds';
export * from './search-public-indicators';
