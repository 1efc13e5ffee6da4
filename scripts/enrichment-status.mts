// `npm run enrichment:status`: which offline IP enrichment data is installed (docs/enrichment.md),
// how long it takes to open, and a few lookups; exits 1 when it cannot be opened.
import { enrichIp, getEnrichmentDatabase, getEnrichmentError } from '../lib/enrichment';

const db = getEnrichmentDatabase();
if (!db) {
  console.error(`IP enrichment is off: ${getEnrichmentError()}`);
  process.exit(1);
}
const { asn, country, loadMs } = db.info;
const day = (iso: string | null) => iso?.slice(0, 10) ?? 'unknown';
console.log(`AS numbers and organisations: ${asn.package}@${asn.version} (data of ${day(asn.builtAt)}; ${asn.ranges.ipv4} IPv4 and ${asn.ranges.ipv6} IPv6 ranges; ${asn.licence})`);
console.log(`Countries:                    ${country.package}@${country.version} (built ${day(country.builtAt)}; ${country.licence})`);
console.log(`Opened in ${loadMs} ms. Running nodes keep the data they opened at start: restart them after an update.`);
for (const ip of ['1.1.1.1', '193.0.6.139', '2001:4860:4860::8888']) console.log(`  ${ip.padEnd(22)} ${JSON.stringify(enrichIp(ip))}`);
