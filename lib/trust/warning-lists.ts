// The warning lists a node matches against: MISP JSON files from WARNING_LISTS_DIR plus the lists
// operators added (table warning_list_custom), compiled once at start-up (warm), filtered by what
// operators enabled (table warning_lists). reload/add/remove/enable/disable bump a generation in the
// database; every node re-reads it at most every WARNING_LISTS_REFRESH_SECONDS and recompiles when
// it moved, so an operator adds, removes or reloads lists without a restart.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';
import type { IndicatorType } from '../indicators/types';
import { compileWarningLists, type CompiledWarningLists, type MispListType, type MispWarningList, type WarningListSource } from './matchers';

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
  /** shipped: a file in WARNING_LISTS_DIR; operator: added with `warninglist add` (stored in the database). */
  origin: 'shipped' | 'operator';
  enabled: boolean;
  hits: number;
  lastHitAt: string | null;
}

interface DbState {
  disabled: Set<string>;
  /** Operator-added lists of this database (table warning_list_custom), compiled. */
  custom: CompiledWarningLists;
  /** The database's warning_list_meta generation when last read (-1: never). */
  generation: number;
  checkedAt: number;
  epoch: number;
  pending?: Promise<void>;
}

const NO_LISTS = compileWarningLists([]);

/** An operator-added list as stored (lib/trust/custom-lists.ts writes them). */
export interface CustomListRow extends Record<string, unknown> {
  id: string;
  name: string;
  type: string;
  entries: string[];
  matching_attributes: string[];
}

export function customListSource(row: CustomListRow): WarningListSource {
  return { id: row.id, list: { name: row.name, type: row.type as MispListType, list: row.entries, matching_attributes: row.matching_attributes } };
}

export class WarningLists {
  private compiled: CompiledWarningLists | null = null;
  /** Bumped by invalidate(): every database's cached state is re-read on next use. */
  private epoch = 0;
  private readonly states = new WeakMap<object, DbState>();

  constructor(
    readonly dir: string,
    private readonly refreshMs = 15_000,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The lists shipped as files (all of them, enabled or not); compiled by warm() at start-up. */
  all(): CompiledWarningLists {
    if (!this.compiled) this.compiled = compileWarningLists(loadWarningListSources(this.dir));
    return this.compiled;
  }

  /** Recompiles the files now (this node). */
  reloadFromDisk(): CompiledWarningLists {
    this.compiled = compileWarningLists(loadWarningListSources(this.dir));
    return this.compiled;
  }

  /**
   * Compiles the shipped lists and this database's operator lists now, so the first submission
   * after start-up does not pay for it (server/node.ts calls it before listening).
   */
  async warm(sql: SqlDriver): Promise<{ lists: number; entries: number; ms: number }> {
    const started = performance.now();
    this.all();
    await this.current(sql);
    const custom = this.states.get(sql)?.custom ?? NO_LISTS;
    const lists = [...this.all().lists, ...custom.lists];
    return { lists: lists.length, entries: lists.reduce((n, l) => n + l.entries, 0), ms: Math.round(performance.now() - started) };
  }

  private async refresh(sql: SqlDriver, state: DbState) {
    const rows = await sql.query<{ id: string; enabled: boolean }>(`SELECT id, enabled FROM warning_lists`);
    const [meta] = await sql.query<{ generation: string | number }>(`SELECT generation FROM warning_list_meta WHERE id = 1`);
    const generation = Number(meta?.generation ?? 0);
    if (generation !== state.generation) {
      // Moved since this node last looked (reload, add, remove, enable, disable): re-read the files
      // (after the first look) and this database's operator lists.
      if (state.generation !== -1) this.reloadFromDisk();
      const custom = await sql.query<CustomListRow>(`SELECT id, name, type, entries, matching_attributes FROM warning_list_custom ORDER BY id`);
      state.custom = compileWarningLists(custom.map(customListSource));
      state.generation = generation;
    }
    state.disabled = new Set(rows.filter((r) => !r.enabled).map((r) => r.id));
    state.checkedAt = this.clock();
  }

  private async stateOf(sql: SqlDriver): Promise<DbState> {
    let state = this.states.get(sql);
    if (!state) {
      state = { disabled: new Set(), custom: NO_LISTS, generation: -1, checkedAt: -Infinity, epoch: this.epoch };
      this.states.set(sql, state);
    }
    if (state.epoch !== this.epoch || this.clock() - state.checkedAt >= this.refreshMs) {
      state.epoch = this.epoch;
      const s = state;
      s.pending ??= this.refresh(sql, s).finally(() => (s.pending = undefined));
      await s.pending.catch(() => undefined); // a failed read keeps the last known state
    }
    return state;
  }

  /** The matcher for this database's enabled lists (re-read at most every refresh period). */
  async current(sql: SqlDriver): Promise<WarningListMatcher> {
    const state = await this.stateOf(sql);
    const compiled = this.all();
    const { disabled, custom } = state;
    return {
      match: (type, value) => {
        const shipped = compiled.match(type, value);
        const hits = custom.lists.length ? [...shipped, ...custom.match(type, value)] : shipped;
        return disabled.size && hits.length ? hits.filter((id) => !disabled.has(id)) : hits;
      },
    };
  }

  /** Every list this database knows: the shipped files, then the operator-added ones. */
  async catalogue(sql: SqlDriver): Promise<{ id: string; name: string; type: MispListType; entries: number; origin: 'shipped' | 'operator' }[]> {
    const state = await this.stateOf(sql);
    return [
      ...this.all().lists.map((l) => ({ ...l, origin: 'shipped' as const })),
      ...state.custom.lists.map((l) => ({ ...l, origin: 'operator' as const })),
    ];
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
  const [catalogue, rows] = await Promise.all([
    lists.catalogue(sql),
    sql.query<{ id: string; enabled: boolean; hits: string | number; last_hit_at: Date | string | null }>(`SELECT id, enabled, hits, last_hit_at FROM warning_lists`),
  ]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return catalogue.map((l) => {
    const row = byId.get(l.id);
    return {
      id: l.id,
      name: l.name,
      type: l.type,
      entries: l.entries,
      origin: l.origin,
      enabled: row?.enabled ?? true,
      hits: Number(row?.hits ?? 0),
      lastHitAt: row?.last_hit_at ? new Date(row.last_hit_at).toISOString() : null,
    };
  });
}

/** Enables or disables a list on every node (within the refresh period). */
export async function setWarningListEnabled(sql: SqlDriver, lists: WarningLists, id: string, enabled: boolean): Promise<void> {
  if (!(await lists.catalogue(sql)).some((l) => l.id === id)) {
    throw new AppError('warning_list_not_found', `no warning list "${id}" (shipped in ${lists.dir} or added with warninglist add)`, 404);
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
