// TAXII 2.1 Get API Root Information (§4.2): GET /taxii2/sluice/.
import { parseTaxiiQuery, taxiiApiRoot } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../_lib/with-taxii';

export const GET = withTaxii(async (req, { taxii }) => {
  parseTaxiiQuery(new URL(req.url).searchParams, []);
  return taxiiJson(taxiiApiRoot(taxii.instance.name));
});
