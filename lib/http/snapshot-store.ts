// Snapshots of public views by key, each rendered at most once per interval however many requests
// arrive: a request takes the current snapshot and, when it is older than the interval, starts one
// background render (single-flight); only the first request of a key waits for a render. The keys
// are bounded: pinned keys (a fixed, small set) and at most `maxVisitorKeys` others, least recently
// used out, whose renders share a budget per interval, so that a visitor cycling through distinct
// views (random tags) cannot make the node render more than that.

export interface Rendered<T> {
  value: T;
  renderedAt: number;
}

export interface SnapshotStoreOptions {
  intervalMs: number;
  /** Non-pinned keys kept at most (least recently used out). */
  maxVisitorKeys: number;
  /** Pinned keys kept at most (the pinned set changes over time, e.g. popular tags). @default 64 */
  maxPinnedKeys?: number;
  /** Renders of non-pinned keys per interval, all keys together. */
  visitorRendersPerInterval: number;
  /** A snapshot older than this is not served (its renders keep failing): the request waits. @default intervalMs * 30 */
  maxStaleMs?: number;
  now?: () => number;
}

interface Entry<T> {
  current?: Rendered<T>;
  pending?: Promise<Rendered<T>>;
}

/** The answer to a request: a snapshot, or `busy` when a non-pinned view has neither snapshot nor budget. */
export type SnapshotResult<T> = { kind: 'snapshot'; snapshot: Rendered<T> } | { kind: 'busy' };

export class SnapshotStore<T> {
  private readonly pinned = new Map<string, Entry<T>>();
  private readonly visitor = new Map<string, Entry<T>>();
  private budgetWindow = 0;
  private budgetUsed = 0;
  /** Renders started, all keys (tests and /metrics read it). */
  renders = 0;

  constructor(private readonly options: SnapshotStoreOptions) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  get size(): number {
    return this.pinned.size + this.visitor.size;
  }

  /** May a non-pinned render start now? Counts it if so. */
  private takeBudget(): boolean {
    const window = Math.floor(this.now() / this.options.intervalMs);
    if (window !== this.budgetWindow) {
      this.budgetWindow = window;
      this.budgetUsed = 0;
    }
    if (this.budgetUsed >= this.options.visitorRendersPerInterval) return false;
    this.budgetUsed++;
    return true;
  }

  async get(key: string, pinned: boolean, render: () => Promise<T>): Promise<SnapshotResult<T>> {
    const map = pinned ? this.pinned : this.visitor;
    let entry = map.get(key);
    if (entry) {
      map.delete(key); // most recently used last
      map.set(key, entry);
    }
    const now = this.now();
    const current = entry?.current;
    const maxStale = this.options.maxStaleMs ?? this.options.intervalMs * 30;
    if (current && now - current.renderedAt < this.options.intervalMs) return { kind: 'snapshot', snapshot: current };
    if (current && now - current.renderedAt < maxStale) {
      if (!entry!.pending && (pinned || this.takeBudget())) this.start(entry!, render).catch(() => undefined);
      return { kind: 'snapshot', snapshot: current };
    }
    if (entry?.pending) return { kind: 'snapshot', snapshot: await entry.pending };
    if (!pinned && !this.takeBudget()) return { kind: 'busy' };
    if (!entry) {
      entry = {};
      map.set(key, entry);
      const max = pinned ? (this.options.maxPinnedKeys ?? 64) : this.options.maxVisitorKeys;
      while (map.size > max) map.delete(map.keys().next().value as string);
    }
    return { kind: 'snapshot', snapshot: await this.start(entry, render) };
  }

  private start(entry: Entry<T>, render: () => Promise<T>): Promise<Rendered<T>> {
    this.renders++;
    const pending = render().then(
      (value) => {
        entry.current = { value, renderedAt: this.now() };
        entry.pending = undefined;
        return entry.current;
      },
      (error: unknown) => {
        entry.pending = undefined;
        throw error;
      },
    );
    entry.pending = pending;
    return pending;
  }

  clear(): void {
    this.pinned.clear();
    this.visitor.clear();
  }
}
