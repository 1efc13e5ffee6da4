// The collection named by the path (id, or the alias "all"), or a TAXII 404.
import { AppError } from '@/lib/errors';
import type { SqlDriver } from '@/lib/db/sql-driver';
import { getTaxiiCollection, type CollectionScope } from '@/lib/taxii';

export async function collectionOrThrow(sql: SqlDriver, id: string): Promise<CollectionScope> {
  const scope = await getTaxiiCollection(sql, id);
  if (!scope) throw new AppError('collection_not_found', `no collection "${id.slice(0, 80)}" (see /taxii2/sluice/collections/)`, 404);
  return scope;
}
