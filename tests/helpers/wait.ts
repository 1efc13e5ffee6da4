import { vi } from 'vitest';

/**
 * Waits until `predicate` holds: a thin wrapper over vi.waitFor that keeps the timeout message naming
 * `what`. A predicate that throws is retried like a false one (vi.waitFor's rule).
 */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition', intervalMs = 10): Promise<void> {
  await vi.waitFor(
    () => {
      if (!predicate()) throw new Error(`timed out waiting for ${what}`);
    },
    { timeout: timeoutMs, interval: intervalMs },
  );
}
