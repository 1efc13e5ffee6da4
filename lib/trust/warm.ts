// Start-up: compile the warning lists before the node takes traffic (docs/trust.md), so the first
// submission does not pay for it and a list that fails to load shows in the start-up log.
import type { SqlDriver } from '../db/sql-driver';
import type { Logger } from '../logger';
import { defaultTrustPolicy } from './policy';

export async function warmWarningLists(runtime: { db: { sql: SqlDriver }; logger: Logger }): Promise<void> {
  try {
    const compiled = await defaultTrustPolicy().lists.warm(runtime.db.sql);
    runtime.logger.info(compiled, 'warning lists compiled');
  } catch (error) {
    // The lists compile on first use instead; the node still starts.
    runtime.logger.warn({ err: error }, 'could not compile the warning lists at start-up');
  }
}
