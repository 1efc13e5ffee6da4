// In-process wake-up call from the ingest path to the relay: after a commit that wrote outbox rows,
// the relay on this node runs at once instead of at its next poll. Process state (lib/process-state)
// because Next.js bundles route handlers apart from the server entry.
import { processSlot } from '../process-state';

type Listener = () => void;

const listeners = () => processSlot('outboxListeners', () => new Set<Listener>());

/** Subscribes to "outbox rows were committed"; returns the unsubscribe function. */
export function onOutboxWritten(listener: Listener): () => void {
  const set = listeners();
  set.add(listener);
  return () => set.delete(listener);
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
