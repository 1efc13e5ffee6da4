// The warning lists a node matches against: MISP JSON files from WARNING_LISTS_DIR, compiled once,
// filtered by what operators enabled (table warning_lists). `reload` bumps a generation in the
// database; every node re-reads it at most every WARNING_LISTS_REFRESH_SECONDS and recompiles from
// disk when it moved, so an operator adds, removes or reloads lists without a restart.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';
import type { IndicatorType } from '../indicators/types';
import { compileWarningLists, type CompiledWarningLists, type MispWarningList, type WarningListSource } from './matchers';

/** Lists whose hostname entries match the exact name (and "www."), not every subdomain: a popular
 *  site's subdomains (github.io, blogspot.com, duckdns.org…) are where abuse lives. */
const EXACT_HOST_LISTS = new Set(['tranco10k']);

export function loadWarningListSources(dir: string): WarningListSource[] {
  const abs = path.resolve(dir);
  let files: string[];
  try {
    files = readdirSync(abs).filter((f) => f.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const sources: WarningListSource[] = [];
  for (const file of files) {
    try {
      const list = JSON.parse(readFileSync(path.join(abs, file), 'utf8')) as MispWarningList;
      if (!list || !Array.isArray(list.list) || typeof list.type !== 'string') continue;
      const id = file.slice(0, -'.json'.length);
      sources.push({ id, list, exactHosts: EXACT_HOST_LISTS.has(id) });
    } catch {
      // an unreadable file is skipped; `warninglist list` shows what loaded
    }
  }
  return sources;
}

export interface WarningListMatcher {
  /** Enabled list ids the value hits. */
  match(type: IndicatorType, value: string): string[];
}

export interface WarningListInfo {
  id: string;
  name: string;
  type: string;
  entries: number;
  enabled: boolean;
  hits: number;
  lastHitAt: string | null;
}

interface DbState {
  disabled: Set<string>;
  checkedAt: number;
  epoch: number;
  pending?: Promise<void>;
}

export class WarningLists {
  private compiled: CompiledWarningLists | null = null;
  private generation = -1;
  /** Bumped by invalidate(): every database's cached state is re-read on next use. */
  private epoch = 0;
  private readonly states = new WeakMap<object, DbState>();

  constructor(
    readonly dir: string,
    private readonly refreshMs = 15_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The compiled lists (all of them, enabled or not); compiled on first use. */
  all(): CompiledWarningLists {
    if (!this.compiled) this.compiled = compileWarningLists(loadWarningListSources(this.dir));
    return this.compiled;
  }

  /** Recompiles from disk now (this node). */
  reloadFromDisk(): CompiledWarningLists {
    this.compiled = compileWarningLists(loadWarningListSources(this.dir));
    return this.compiled;
  }

  private async refresh(sql: SqlDriver, state: DbState) {
    const rows = await sql.query<{ id: string; enabled: boolean }>(`SELECT id, enabled FROM warning_lists`);
    const [meta] = await sql.query<{ generation: string | number }>(`SELECT generation FROM warning_list_meta WHERE id = 1`);
    const generation = Number(meta?.generation ?? 0);
    if (this.generation !== -1 && generation !== this.generation) this.reloadFromDisk();
    this.generation = generation;
    state.disabled = new Set(rows.filter((r) => !r.enabled).map((r) => r.id));
    state.checkedAt = this.clock();
  }

  /** The matcher for this database's enabled lists (re-read at most every refresh period). */
  async current(sql: SqlDriver): Promise<WarningListMatcher> {
    let state = this.states.get(sql);
    if (!state) {
      state = { disabled: new Set(), checkedAt: -Infinity, epoch: this.epoch };
      this.states.set(sql, state);
    }
    if (state.epoch !== this.epoch || this.clock() - state.checkedAt >= this.refreshMs) {
      state.epoch = this.epoch;
      const s = state;
      s.pending ??= this.refresh(sql, s).finally(() => (s.pending = undefined));
      await s.pending.catch(() => undefined); // a failed read keeps the last known state
    }
    const compiled = this.all();
    const disabled = state.disabled;
    return {
      match: (type, value) => {
        const hits = compiled.match(type, value);
        return disabled.size ? hits.filter((id) => !disabled.has(id)) : hits;
      },
    };
  }

  /** Forgets the cached enabled sets so the next match on this node re-reads them. */
  invalidate() {
    this.epoch += 1;
  }
}

/** Adds hit counts (after the batch committed; best effort, never throws). */
export async function recordWarningHits(sql: SqlDriver, hits: ReadonlyMap<string, number>, at: Date): Promise<void> {
  if (!hits.size) return;
  try {
    await sql.query(
      `INSERT INTO warning_lists (id, hits, last_hit_at)
       SELECT x.id, x.n, $2::timestamptz FROM jsonb_to_recordset($1::jsonb) AS x(id text, n bigint) ORDER BY x.id
       ON CONFLICT (id) DO UPDATE SET hits = warning_lists.hits + EXCLUDED.hits, last_hit_at = EXCLUDED.last_hit_at`,
      [JSON.stringify([...hits].map(([id, n]) => ({ id, n }))), at.toISOString()],
    );
  } catch {
    // counts are statistics; the sightings are committed either way
  }
}

export async function listWarningLists(sql: SqlDriver, lists: WarningLists): Promise<WarningListInfo[]> {
  const rows = await sql.query<{ id: string; enabled: boolean; hits: string | number; last_hit_at: Date | string | null }>(
    `SELECT id, enabled, hits, last_hit_at FROM warning_lists`,
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return lists.all().lists.map((l) => {
    const row = byId.get(l.id);
    return {
      id: l.id,
      name: l.name,
      type: l.type,
      entries: l.entries,
      enabled: row?.enabled ?? true,
      hits: Number(row?.hits ?? 0),
      lastHitAt: row?.last_hit_at ? new Date(row.last_hit_at).toISOString() : null,
    };
  });
}

/** Enables or disables a list on every node (within the refresh period). */
export async function setWarningListEnabled(sql: SqlDriver, lists: WarningLists, id: string, enabled: boolean): Promise<void> {
  if (!lists.all().lists.some((l) => l.id === id)) {
    throw new AppError('warning_list_not_found', `no warning list "${id}" in ${lists.dir} (run reload after adding a file)`, 404);
  }
  await sql.transaction(async (tx) => {
    await tx.query(`INSERT INTO warning_lists (id, enabled) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET enabled = EXCLUDED.enabled`, [id, enabled]);
    await tx.query(`UPDATE warning_list_meta SET generation = generation + 1 WHERE id = 1`);
  });
  lists.invalidate();
}

/** Re-reads the list files here now and tells every other node to do so. */
export async function reloadWarningLists(sql: SqlDriver, lists: WarningLists): Promise<CompiledWarningLists> {
  await sql.query(`UPDATE warning_list_meta SET generation = generation + 1 WHERE id = 1`);
  const compiled = lists.reloadFromDisk();
  lists.invalidate();
  return compiled;
}
