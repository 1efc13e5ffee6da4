// TAXII 2.1 Get Object Manifests (§5.3): id, date_added, version and media type of each object.
import { dateAddedHeaders, findTaxiiPage, manifestOf, parseTaxiiQuery } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../../../../_lib/with-taxii';
import { collectionOrThrow } from '../collection';

export const GET = withTaxii<{ collection: string }>(async (req, { runtime, params, taxii }) => {
  const q = parseTaxiiQuery(new URL(req.url).searchParams, ['added_after', 'limit', 'next', 'match[type]', 'match[id]', 'match[version]', 'match[spec_version]']);
  const scope = await collectionOrThrow(runtime.db.sql, params.collection);
  const page = await findTaxiiPage(runtime.db.sql, taxii, scope, q);
  return taxiiJson(manifestOf(page), 200, dateAddedHeaders(page.items));
});
