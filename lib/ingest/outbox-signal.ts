// In-process wake-up call from the ingest path to the relay: after a commit that wrote outbox rows,
// the relay on this node runs at once instead of at its next poll. Held on globalThis because
// Next.js bundles route handlers apart from the server entry (see lib/runtime.ts).
type Listener = () => void;

const KEY = Symbol.for('sluice.outbox-listeners');
type Holder = { [KEY]?: Set<Listener> };

function listeners(): Set<Listener> {
  const holder = globalThis as Holder;
  return (holder[KEY] ??= new Set());
}

/** Subscribes to "outbox rows were committed"; returns the unsubscribe function. */
export function onOutboxWritten(listener: Listener): () => void {
  listeners().add(listener);
  return () => listeners().delete(listener);
}

export function notifyOutboxWritten(): void {
  for (const listener of listeners()) {
    try {
      listener();
    } catch {
      // A relay's wake-up must never fail an ingest that already committed.
    }
  }
}
