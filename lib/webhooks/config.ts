// Outbound webhook settings (docs/webhooks.md). The schema lives here beside the feature;
// lib/config.ts merges it into the one configuration parsed at start-up.
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number({ message: 'must be a number' }).int().positive().default(fallback);
const flag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const webhooksConfigSchema = z.object({
  /**
   * Let webhooks call loopback addresses (127.0.0.0/8, ::1), over plain HTTP too: for tests and local
   * receivers only. Private, link-local and other special addresses stay refused. @default false
   */
  WEBHOOK_ALLOW_LOOPBACK: flag.default(false),
  /**
   * Key that encrypts webhook signing secrets at rest (32+ characters). Unset: one is generated into
   * DATA_DIR/webhook-key. Nodes that do not share DATA_DIR must all set the same value.
   */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  /** Attempts per batch before it is dead-lettered (the first try counts). @default 8 */
  WEBHOOK_MAX_ATTEMPTS: positiveInt(8),
  /** First retry delay in ms; doubles per attempt, with full jitter, up to WEBHOOK_RETRY_MAX_MS. @default 5000 */
  WEBHOOK_RETRY_BASE_MS: positiveInt(5000),
  /** Longest retry delay in ms. @default 600000 */
  WEBHOOK_RETRY_MAX_MS: positiveInt(600_000),
  /** Consecutive dead-lettered batches after which an endpoint is paused. @default 3 */
  WEBHOOK_PAUSE_AFTER_DEAD_LETTERS: positiveInt(3),
  /** How long one delivery may take (connect to last byte), in ms. @default 10000 */
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** Most events in one delivery. @default 100 */
  WEBHOOK_BATCH_SIZE: z.coerce.number({ message: 'must be a number' }).int().min(1).max(1000).default(100),
  /** How long a worker node's claim on an endpoint lasts without renewal (another node then takes over), in seconds. @default 15 */
  WEBHOOK_LEASE_SECONDS: positiveInt(15),
});

export type WebhooksConfig = z.infer<typeof webhooksConfigSchema>;
