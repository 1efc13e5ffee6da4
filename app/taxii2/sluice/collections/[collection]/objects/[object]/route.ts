// TAXII 2.1 Get an Object (§5.6): the object's versions that match (Sluice keeps the latest).
import { AppError } from '@/lib/errors';
import { dateAddedHeaders, envelopeOf, findTaxiiPage, parseTaxiiQuery } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../../../../../_lib/with-taxii';
import { collectionOrThrow } from '../../collection';

export const GET = withTaxii<{ collection: string; object: string }>(async (req, { runtime, params, taxii }) => {
  const q = parseTaxiiQuery(new URL(req.url).searchParams, ['added_after', 'limit', 'next', 'match[version]', 'match[spec_version]']);
  const scope = await collectionOrThrow(runtime.db.sql, params.collection);
  const id = params.object.toLowerCase();
  const page = await findTaxiiPage(runtime.db.sql, taxii, scope, q, id);
  if (!page.items.length && !q.addedAfter && !q.versions && !q.specVersions && q.after === '-2') {
    throw new AppError('object_not_found', `no object ${params.object.slice(0, 300)} in this collection`, 404);
  }
  return taxiiJson(envelopeOf(page), 200, dateAddedHeaders(page.items));
});
