// TAXII 2.1 Get Object Versions (§5.8): Sluice keeps each object's latest version.
import { AppError } from '@/lib/errors';
import { dateAddedHeaders, findTaxiiPage, parseTaxiiQuery, versionsOf } from '@/lib/taxii';
import { taxiiJson, withTaxii } from '../../../../../../_lib/with-taxii';
import { collectionOrThrow } from '../../../collection';

export const GET = withTaxii<{ collection: string; object: string }>(async (req, { runtime, params, taxii }) => {
  const q = parseTaxiiQuery(new URL(req.url).searchParams, ['added_after', 'limit', 'next', 'match[spec_version]']);
  const scope = await collectionOrThrow(runtime.db.sql, params.collection);
  const page = await findTaxiiPage(runtime.db.sql, taxii, scope, q, params.object.toLowerCase());
  if (!page.items.length && !q.addedAfter && !q.specVersions && q.after === '-2') {
    throw new AppError('object_not_found', `no object ${params.object.slice(0, 300)} in this collection`, 404);
  }
  return taxiiJson(versionsOf(page), 200, dateAddedHeaders(page.items));
});
