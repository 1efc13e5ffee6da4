// Federation settings (docs/federation.md), spread into lib/config.ts's schema.
import { z } from 'zod';

export const federationConfigSchema = z.object({
  /** Events that crossed more peer links than this are not ingested nor passed on. @default 8 */
  FEDERATION_MAX_HOPS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(64).default(8),
  /**
   * A node runs a peer link while it holds the link's lease; another node takes the link over this
   * long after the holder stopped renewing it (it died), in seconds. @default 15
   */
  FEDERATION_LEASE_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(2).max(600).default(15),
});

export type FederationConfig = z.infer<typeof federationConfigSchema>;
