// Offline IP enrichment: AS number, AS organisation and country (docs/enrichment.md).
export { enrichIndicator, enrichIp, getEnrichmentDatabase, getEnrichmentError, type IpEnrichment } from './enrich-indicator';
export { ENRICHMENT_ATTRIBUTION } from './attribution';
export { COUNTRY_CODES, isCountryCode } from './countries';
export type { EnrichmentDatabaseInfo } from './load-enrichment-database';
