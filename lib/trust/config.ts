// Trust settings (docs/trust.md), read once from the environment with zod like lib/jobs/config.ts.
import { z } from 'zod';

const nonNegative = (fallback: number) => z.coerce.number({ message: 'must be a number' }).min(0).default(fallback);
const positiveInt = (fallback: number) => z.coerce.number({ message: 'must be a number' }).int().positive().default(fallback);

export const trustConfigSchema = z.object({
  /**
   * Accounts younger than this (hours) on the free plan are "new": their public sightings are held
   * until corroborated. 0 = a fresh account streams at once (as before). @default 0
   */
  TRUST_NEW_ACCOUNT_HOURS: nonNegative(0),
  /** Distinct reporters within the window that release a held value. @default 3 */
  TRUST_CORROBORATION_REPORTERS: positiveInt(3),
  /** Corroboration window, hours. @default 24 */
  TRUST_CORROBORATION_WINDOW_HOURS: z.coerce.number({ message: 'must be a number' }).positive().default(24),
  /** Retracted reports after which a "normal" account is no longer established. @default 3 */
  TRUST_MAX_RETRACTED: positiveInt(3),
  /** Directory of MISP warning lists (*.json). @default lib/trust/lists */
  WARNING_LISTS_DIR: z.string().min(1).default('lib/trust/lists'),
  /** How often a node re-reads which lists are enabled (and reloads after `warninglist reload`), s. @default 15 */
  WARNING_LISTS_REFRESH_SECONDS: z.coerce.number({ message: 'must be a number' }).positive().default(15),
});

export type TrustConfig = z.infer<typeof trustConfigSchema>;

export function parseTrustConfig(env: Record<string, string | undefined> = process.env): TrustConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && v !== '' && k in trustConfigSchema.shape));
  const result = trustConfigSchema.safeParse(cleaned);
  if (!result.success) {
    throw new Error(`Invalid configuration: ${result.error.issues.map((i) => `${String(i.path[0])}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
