// The periodic sweep that deletes accounts whose owners scheduled it and whose cooling-off period
// has passed (lib/accounts/account-deletion.ts). It rides on the analysis queue with the expiry
// scan: every worker node ticks, the de-duplication key keeps one sweep pending, and FOR UPDATE
// SKIP LOCKED in deleteAccount keeps two overlapping sweeps from deleting the same account twice.
import { accountMailDeps } from '../../lib/accounts/account-mail';
import { sweepDueAccountDeletions } from '../../lib/accounts/account-deletion';
import type { JobHandler } from '../../lib/jobs';
import type { Runtime } from '../../lib/runtime';

export const ACCOUNT_DELETION_JOB = 'account-deletions';

export function withAccountDeletions(runtime: Pick<Runtime, 'config' | 'db' | 'engines' | 'logger'>, next: JobHandler): JobHandler {
  return async (run) => {
    if (run.name !== ACCOUNT_DELETION_JOB) return next(run);
    const result = await sweepDueAccountDeletions(accountMailDeps(runtime), { signal: run.signal });
    if (result.deleted.length || result.failed.length) {
      runtime.logger.info({ module: 'workers', deleted: result.deleted.length, failed: result.failed.length }, 'account deletion sweep');
    }
  };
}
