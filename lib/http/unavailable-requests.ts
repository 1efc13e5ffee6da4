// Requests that failed because a dependency was down, by request id: Next reports a page's error
// to instrumentation.ts (onRequestError) before it writes its 500, and server/http.ts then answers
// 503 with Retry-After instead. Process state (lib/process-state) because Next bundles
// instrumentation apart from the server entry; bounded (only the last few hundred ids are kept,
// each for a minute).
import { processSlot } from '../process-state';

const MAX = 500;
const TTL_MS = 60_000;

const registry = () => processSlot('unavailableRequests', () => new Map<string, number>());

export function markUnavailable(requestId: string | undefined): void {
  if (!requestId) return;
  const map = registry();
  map.set(requestId, Date.now());
  if (map.size > MAX) map.delete(map.keys().next().value!);
}

/** True (once) when this request failed on a dependency that was down. */
export function takeUnavailable(requestId: string): boolean {
  const map = registry();
  const at = map.get(requestId);
  if (at === undefined) return false;
  map.delete(requestId);
  return Date.now() - at < TTL_MS;
}
