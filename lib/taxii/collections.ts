// The API root's collections: "all public" (every public object) and one per public (TLP:CLEAR)
// feed, whose id is the feed's id. Read-only: can_write is false everywhere.
import type { SqlDriver } from '../db/sql-driver';
import { uuidv5 } from '../stix/ids';
import { STIX_MEDIA_TYPE } from './media';

export const ALL_PUBLIC_COLLECTION_ID = uuidv5('taxii-collection|all-public');
export const ALL_PUBLIC_ALIAS = 'all';

export interface TaxiiCollection {
  id: string;
  title: string;
  description?: string;
  alias?: string;
  can_read: boolean;
  can_write: boolean;
  media_types: string[];
}

/** Which objects a collection holds: every public one (feedId null) or one public feed's. */
export interface CollectionScope {
  collection: TaxiiCollection;
  feedId: string | null;
}

const ALL: TaxiiCollection = {
  id: ALL_PUBLIC_COLLECTION_ID,
  title: 'All public indicators',
  description: 'Every public indicator of this Sluice instance and its sightings, one per public feed.',
  alias: ALL_PUBLIC_ALIAS,
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
};

interface FeedRow extends Record<string, unknown> {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  owner: string | null;
}

const FEED_COLUMNS = `f.id::text AS id, f.slug, f.name, f.description, nullif(btrim(u.name), '') AS owner`;

function feedCollection(f: FeedRow): TaxiiCollection {
  const by = f.owner ? ` by ${f.owner}` : '';
  return {
    id: f.id,
    title: f.name,
    description: `Public feed "${f.slug}"${by}${f.description ? `: ${f.description}` : ''}`.slice(0, 1000),
    can_read: true,
    can_write: false,
    media_types: [STIX_MEDIA_TYPE],
  };
}

export async function findTaxiiCollections(sql: SqlDriver): Promise<TaxiiCollection[]> {
  const feeds = await sql.query<FeedRow>(
    `SELECT ${FEED_COLUMNS} FROM feeds f JOIN users u ON u.id = f.owner_id WHERE f.tlp = 'CLEAR' ORDER BY f.created_at, f.id LIMIT 10000`,
  );
  return [ALL, ...feeds.map(feedCollection)];
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A collection by id (or the alias "all"), or null: unknown and private feeds alike. */
export async function getTaxiiCollection(sql: SqlDriver, idOrAlias: string): Promise<CollectionScope | null> {
  const key = idOrAlias.toLowerCase();
  if (key === ALL_PUBLIC_COLLECTION_ID || key === ALL_PUBLIC_ALIAS) return { collection: ALL, feedId: null };
  if (!UUID_RE.test(key)) return null;
  const [feed] = await sql.query<FeedRow>(`SELECT ${FEED_COLUMNS} FROM feeds f JOIN users u ON u.id = f.owner_id WHERE f.id = $1::uuid AND f.tlp = 'CLEAR'`, [key]);
  return feed ? { collection: feedCollection(feed), feedId: feed.id } : null;
}
