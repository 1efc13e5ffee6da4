// Opens the enrichment database at start-up (docs/enrichment.md), so that the first IP ingested or
// checked does not pay for it inside a request or a transaction, and says which data is in use.
import type { Logger } from '../logger';
import { getEnrichmentDatabase, getEnrichmentError } from './enrich-indicator';

export function warmEnrichment(logger: Logger): void {
  const db = getEnrichmentDatabase();
  const log = logger.child({ module: 'enrichment' });
  if (!db) {
    log.warn({ reason: getEnrichmentError() }, 'IP enrichment is off: the offline AS/country database could not be opened');
    return;
  }
  const { asn, country, loadMs } = db.info;
  log.info({ asn: `${asn.package}@${asn.version}`, country: `${country.package}@${country.version}`, ranges: asn.ranges, loadMs }, 'IP enrichment database opened');
}
