// Federation settings (docs/federation.md), spread into lib/config.ts's schema.
import { z } from 'zod';

const boolFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const federationConfigSchema = z.object({
  /** Events that crossed more peer links than this are not ingested nor passed on. @default 8 */
  FEDERATION_MAX_HOPS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(64).default(8),
  /**
   * A node runs a peer link while it holds the link's lease; another node takes the link over this
   * long after the holder stopped renewing it (it died), in seconds. @default 15
   */
  FEDERATION_LEASE_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(2).max(600).default(15),
  /**
   * How often each running link asks its peer which peers it introduces (discovery; a peer only
   * introduces the links its operator flagged `--introduce`), in seconds; also on every connection. @default 300
   */
  FEDERATION_GOSSIP_SECONDS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(86_400).default(300),
  /**
   * Announce this instance on the local network and list the Sluice instances found there as
   * suggested peers (mDNS/DNS-SD, service type _sluice._tcp). Never links by itself. @default false
   */
  FEDERATION_MDNS: boolFromEnv.default(false),
  /**
   * How long the origins of events received from peers (federated_events: instance and event id)
   * are kept to recognise the same event arriving again, over another path or in a replay, in
   * days. Past it the rows are deleted, so the table stays bounded. A peer only replays what its
   * log still holds (LOG_RETENTION_HOURS there, a day by default). @default 7
   */
  FEDERATION_ORIGIN_RETENTION_DAYS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(3650).default(7),
});

export type FederationConfig = z.infer<typeof federationConfigSchema>;
