// TAXII 2.1 Server Discovery (§4.1): GET /taxii2/ (docs/taxii.md).
import { parseTaxiiQuery, taxiiDiscovery } from '@/lib/taxii';
import { taxiiJson, withTaxii } from './_lib/with-taxii';

export const GET = withTaxii(async (req, { baseUrl, taxii }) => {
  parseTaxiiQuery(new URL(req.url).searchParams, []);
  return taxiiJson(taxiiDiscovery(baseUrl, taxii.instance.name));
});
