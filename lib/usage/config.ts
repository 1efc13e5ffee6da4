// Usage recording settings (docs/usage.md). Merged into the one configuration by lib/config.ts.
import { z } from 'zod';

export const usageConfigSchema = z.object({
  /** How often each node adds its usage counts to the database, in seconds. @default 5 */
  USAGE_FLUSH_SECONDS: z.coerce.number({ message: 'must be a number' }).positive().max(3600).default(5),
  /** Hours of usage kept, in days; older rows are pruned. @default 90 */
  USAGE_RETENTION_DAYS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(3660).default(90),
  /**
   * Requests per account per UTC day for every plan, overriding the plans' own (lib/plans.ts);
   * unset: the plan's. Burst tokens still multiply it.
   */
  API_REQUESTS_PER_DAY: z.coerce.number({ message: 'must be a number' }).int().min(1).optional(),
});

export type UsageConfig = z.infer<typeof usageConfigSchema>;
