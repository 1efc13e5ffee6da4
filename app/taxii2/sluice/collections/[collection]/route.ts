// TAXII 2.1 Get a Collection (§5.2).
import { parseTaxiiQuery } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../../../_lib/with-taxii';
import { collectionOrThrow } from './collection';

export const GET = withTaxii<{ collection: string }>(async (req, { runtime, params }) => {
  parseTaxiiQuery(new URL(req.url).searchParams, []);
  return taxiiJson((await collectionOrThrow(runtime.db.sql, params.collection)).collection);
});
