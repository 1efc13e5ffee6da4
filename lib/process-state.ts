// One home for process-wide state. Next.js bundles route handlers apart from the server entry
// (server/index.mts), so a module-level singleton would exist once per bundle: everything that must
// be shared by the whole process (the runtime, the job queue, the in-process control bus, outbox
// wake-ups, gateway stats, page caches, ...) lives in this one registry on globalThis instead.
// Its lifetime is the runtime's: server/runtime.ts clears it in closeRuntime, so a process (or a
// test) that starts again gets fresh state.
const KEY = Symbol.for('sluice.process-state');
type Holder = { [KEY]?: Map<string, unknown> };

function slots(): Map<string, unknown> {
  return ((globalThis as Holder)[KEY] ??= new Map());
}

/** The process-wide value named `name`, created by `create` on first use. */
export function processSlot<T>(name: string, create: () => T): T {
  const all = slots();
  if (!all.has(name)) all.set(name, create());
  return all.get(name) as T;
}

/** Replaces (or with undefined, removes) a process-wide value. */
export function setProcessSlot<T>(name: string, value: T | undefined): void {
  if (value === undefined) slots().delete(name);
  else slots().set(name, value);
}

/** The value if set, without creating it. */
export function peekProcessSlot<T>(name: string): T | undefined {
  return slots().get(name) as T | undefined;
}

/** Forgets every process-wide value (closeRuntime). Owners close what they hold before. */
export function clearProcessState(): void {
  slots().clear();
}
