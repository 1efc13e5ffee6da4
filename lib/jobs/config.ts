// Job queue, worker and analyzer settings (listed with their defaults in docs/workers.md). Their
// schema lives here beside the queue; lib/config.ts merges it into the one configuration parsed at
// start-up, so a bad JOB_* value stops the node at once (exit 78) instead of failing a request.
import { z } from 'zod';

const positiveInt = (fallback: number) => z.coerce.number({ message: 'must be a number' }).int().positive().default(fallback);
const positive = (fallback: number) => z.coerce.number({ message: 'must be a number' }).positive().default(fallback);

export const jobsConfigSchema = z.object({
  /** Jobs one worker process runs at the same time. @default 4 */
  WORKER_CONCURRENCY: positiveInt(4),
  /** Attempts per job before it is dead-lettered (the first run counts). @default 5 */
  JOB_ATTEMPTS: positiveInt(5),
  /** First retry delay; each further retry doubles it. @default 1000 */
  JOB_BACKOFF_MS: positiveInt(1000),
  /** How long a worker may hold a job without a heartbeat before another takes it over. @default 30000 */
  JOB_LEASE_MS: positiveInt(30_000),
  /** How long graceful shutdown waits for in-flight jobs before returning them to the queue. @default 10000 */
  WORKER_SHUTDOWN_GRACE_MS: positiveInt(10_000),
  /** Per-analyzer time limit. @default 10000 */
  ANALYZER_TIMEOUT_MS: positiveInt(10_000),
  /** Distinct users that make an indicator "correlated". @default 3 */
  CORRELATION_MIN_USERS: positiveInt(3),
  /** Correlation window in hours. @default 24 */
  CORRELATION_WINDOW_HOURS: positive(24),
  /** Distinct addresses in one /24 (IPv4) or /48 (IPv6) that make it a hot network. @default 16 */
  HOT_NETWORK_MIN_ADDRESSES: positiveInt(16),
  /** Distinct reporters those addresses must come from (no single account makes a network hot). @default 2 */
  HOT_NETWORK_MIN_REPORTERS: positiveInt(2),
  /** Hot-network window in hours. @default 24 */
  HOT_NETWORK_WINDOW_HOURS: positive(24),
  /** Days without a sighting after which an IP address expires. @default 21 */
  EXPIRY_DAYS_IP: positive(21),
  /** Days without a sighting after which any other indicator expires. @default 45 */
  EXPIRY_DAYS_OTHER: positive(45),
  /** How often worker nodes schedule an expiry scan, in seconds. @default 600 */
  EXPIRY_SCAN_SECONDS: positive(600),
  /** How long the enqueue hook gathers accepted indicators before adding one batch job, in ms. @default 50 */
  ENQUEUE_BATCH_MS: z.coerce.number().int().min(0).default(50),
  /** Indicators per analysis job. @default 500 */
  ENQUEUE_BATCH_SIZE: positiveInt(500),
  /**
   * Most indicators the enqueue buffer holds while the queue is unreachable (Redis down); beyond it
   * the oldest are dropped, counted and logged. @default 50000
   */
  ENQUEUE_MAX_BUFFERED: positiveInt(50_000),
  /** How often the embedded queue polls for due jobs, in ms. @default 200 */
  JOB_POLL_MS: positiveInt(200),
});

export type JobsConfig = z.infer<typeof jobsConfigSchema>;
