// TAXII 2.1 Get Collections (§5.1): "all public" and one collection per public feed.
import { findTaxiiCollections, parseTaxiiQuery } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../../_lib/with-taxii';

export const GET = withTaxii(async (req, { runtime }) => {
  parseTaxiiQuery(new URL(req.url).searchParams, []);
  return taxiiJson({ collections: await findTaxiiCollections(runtime.db.sql) });
});
