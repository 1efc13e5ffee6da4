// Usage and quotas (docs/usage.md): the process's recorder (lib/process-state, so Next's route
// bundle and the server entry share one buffer) and the summary pages read.
import type { Runtime } from '../runtime';
import { peekProcessSlot, setProcessSlot } from '../process-state';
import { createUsageRecorder, type UsageCounts, type UsageRecorder, type UsageSubject } from './recorder';

export { createUsageRecorder, type StreamUsage, type UsageCounts, type UsageRecorder, type UsageSubject } from './recorder';
export { readUsageSummary, requestsPerDayFor, WARN_PERCENT, zeroTotals, type UsageAllowance, type UsageSummary, type UsageTotals, type ReadUsageOptions } from './summary';

const SLOT = 'usageRecorder';
type Held = { owner: object; recorder: UsageRecorder };

/** This process's recorder for the runtime's database (created on first use). */
export function getUsageRecorder(runtime: Pick<Runtime, 'db' | 'config' | 'logger'>): UsageRecorder {
  const current = peekProcessSlot<Held>(SLOT);
  if (current && current.owner === runtime.db) return current.recorder;
  const recorder = createUsageRecorder(runtime.db.sql, {
    flushMs: runtime.config.USAGE_FLUSH_SECONDS * 1000,
    retentionDays: runtime.config.USAGE_RETENTION_DAYS,
    logger: runtime.logger,
  });
  setProcessSlot<Held>(SLOT, { owner: runtime.db, recorder });
  return recorder;
}

/** Counts usage; never throws (usage must not fail a request). */
export function recordUsage(runtime: Pick<Runtime, 'db' | 'config' | 'logger'>, subject: UsageSubject, counts: UsageCounts): void {
  try {
    getUsageRecorder(runtime).add(subject, counts);
  } catch (error) {
    runtime.logger.warn({ err: error }, 'could not count usage');
  }
}

/** Adds what this process still buffers (node shutdown, before the database closes). */
export async function closeUsageRecorder(): Promise<void> {
  const current = peekProcessSlot<Held>(SLOT);
  setProcessSlot(SLOT, undefined);
  await current?.recorder.close();
}
