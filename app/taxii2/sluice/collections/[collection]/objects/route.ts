// TAXII 2.1 Get Objects (§5.4): an envelope of a collection's objects, paged by `next` (a keyset on
// the projection's seq: objects added while a client pages are neither skipped nor repeated).
import { dateAddedHeaders, envelopeOf, findTaxiiPage, parseTaxiiQuery } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../../../../_lib/with-taxii';
import { collectionOrThrow } from '../collection';

export const GET = withTaxii<{ collection: string }>(async (req, { runtime, params, taxii }) => {
  const q = parseTaxiiQuery(new URL(req.url).searchParams, ['added_after', 'limit', 'next', 'match[type]', 'match[id]', 'match[version]', 'match[spec_version]']);
  const scope = await collectionOrThrow(runtime.db.sql, params.collection);
  const page = await findTaxiiPage(runtime.db.sql, taxii, scope, q);
  return taxiiJson(envelopeOf(page), 200, dateAddedHeaders(page.items));
});
