// A small in-process TTL cache with single-flight loads and stale-while-revalidate, so that a
// public page regenerates its data every few seconds however many requests arrive.
// It is process state (lib/process-state): Next bundles pages and route handlers separately, and
// /threats and its exports must read the same entry ("same data as the page").
import { processSlot } from '../process-state';

export interface TtlCacheOptions {
  /** How long a value is fresh. */
  ttlMs: number;
  /** Past ttlMs, a stale value is still served (while one refresh runs) for this long. @default ttlMs * 10 */
  staleMs?: number;
  /** Most keys kept; the least recently used go first. @default 200 */
  maxEntries?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

interface Entry<T> {
  value?: T;
  storedAt: number;
  pending?: Promise<T>;
}

export class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly ttlMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: TtlCacheOptions) {
    this.ttlMs = options.ttlMs;
    this.staleMs = options.staleMs ?? options.ttlMs * 10;
    this.maxEntries = options.maxEntries ?? 200;
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    const entry = this.entries.get(key);
    const age = entry && entry.value !== undefined ? this.now() - entry.storedAt : Infinity;
    if (entry) this.touch(key, entry);
    if (entry && entry.value !== undefined && age < this.ttlMs) return entry.value;
    if (entry && entry.value !== undefined && age < this.ttlMs + this.staleMs) {
      if (!entry.pending) this.refresh(key, entry, load).catch(() => undefined); // keep serving the stale value
      return entry.value;
    }
    if (entry?.pending) return entry.pending;
    const fresh: Entry<T> = entry ?? { storedAt: 0 };
    if (!entry) this.entries.set(key, fresh);
    return this.refresh(key, fresh, load);
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Marks `key` as the most recently used: eviction takes the least recently used first. */
  private touch(key: string, entry: Entry<T>): void {
    this.entries.delete(key);
    this.entries.set(key, entry);
  }

  private refresh(key: string, entry: Entry<T>, load: () => Promise<T>): Promise<T> {
    const pending = load().then(
      (value) => {
        entry.value = value;
        entry.storedAt = this.now();
        entry.pending = undefined;
        // Mark as most recently used, then evict the least recently used beyond the bound.
        this.touch(key, entry);
        while (this.entries.size > this.maxEntries) {
          const oldest = this.entries.keys().next().value as string;
          this.entries.delete(oldest);
        }
        return value;
      },
      (error: unknown) => {
        entry.pending = undefined;
        if (entry.value === undefined) this.entries.delete(key);
        throw error;
      },
    );
    entry.pending = pending;
    return pending;
  }
}

const caches = () => processSlot('threatsCaches', () => new Map<string, WeakMap<object, TtlCache<unknown>>>());

/** The process-wide cache named `name` for one database (`scope`: its driver object). */
export function sharedCache<T>(name: string, scope: object, options: TtlCacheOptions): TtlCache<T> {
  let byScope = caches().get(name);
  if (!byScope) caches().set(name, (byScope = new WeakMap()));
  let cache = byScope.get(scope) as TtlCache<T> | undefined;
  if (!cache) byScope.set(scope, (cache = new TtlCache<T>(options)));
  return cache;
}
