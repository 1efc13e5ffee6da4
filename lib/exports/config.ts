// Bulk exports and blocklists settings (docs/exports.md). lib/config.ts merges this schema into the
// one configuration parsed at start-up, so a bad EXPORTS_* value stops the node at once.
import { z } from 'zod';

export const exportsConfigSchema = z.object({
  /** How often the export snapshots are recomputed, in seconds (each tier: one query per interval per node). @default 60 */
  EXPORTS_INTERVAL_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(3600).default(60),
  /** How far the Free tier's exports lag the Firehose tier's, in seconds. @default 3600 */
  EXPORTS_FREE_DELAY_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(0).max(7 * 24 * 3600).default(3600),
  /** Most indicators one snapshot holds (the most recently seen first). @default 100000 */
  EXPORTS_MAX_ROWS: z.coerce.number({ message: 'must be a number' }).int().min(100).max(2_000_000).default(100_000),
  /** Anonymous export requests per minute per client address (IPv6: per /64); 0 = unlimited (benchmarks). @default 60 */
  EXPORTS_ANONYMOUS_PER_MINUTE: z.coerce.number({ message: 'must be a number' }).int().min(0).default(60),
});

export type ExportsConfig = z.infer<typeof exportsConfigSchema>;
