// The answer GET /api/v1/check/{value} gives a caller who has no feeds of their own: the public view.
// It reuses lib/search's checkIndicator with a caller id no user can have (the nil uuid), so the
// visibility rule reduces to public sightings only. Public pages show it, so its feeds are named the
// public way (PublicFeedRef): only feeds public now, owners by display name, never a user id.
import type { SqlDriver } from '../db/sql-driver';
import { checkIndicator, type CheckResult } from '../search/check-indicator';
import type { IndicatorType } from '../indicators/types';
import type { PublicFeedRef } from './types';

export const ANONYMOUS_CALLER = '00000000-0000-0000-0000-000000000000';

export type PublicCheckResult =
  | Extract<CheckResult, { known: false }>
  | (Omit<Extract<CheckResult, { known: true }>, 'feeds'> & { feeds: PublicFeedRef[] });

export async function getPublicCheck(sql: SqlDriver, indicator: { type: IndicatorType; value: string }): Promise<PublicCheckResult> {
  const result = await checkIndicator(sql, ANONYMOUS_CALLER, { value: indicator.value, type: indicator.type });
  if (!result.known) return result;
  const feeds = result.feeds.length
    ? await sql.query<{ slug: string; owner_id: string; name: string | null }>(
        `SELECT f.slug, f.owner_id::text AS owner_id, nullif(btrim(u.display_name), '') AS name
         FROM feeds f JOIN users u ON u.id = f.owner_id
         WHERE f.tlp = 'CLEAR' AND f.owner_id = ANY ($1::uuid[]) AND f.slug = ANY ($2::text[])`,
        [[...new Set(result.feeds.map((f) => f.owner))], [...new Set(result.feeds.map((f) => f.slug))]],
      )
    : [];
  const byKey = new Map(feeds.map((f) => [`${f.owner_id}/${f.slug}`, f]));
  return {
    ...result,
    feeds: result.feeds.flatMap((f) => {
      const row = byKey.get(`${f.owner}/${f.slug}`);
      return row ? [{ slug: row.slug, owner: row.name }] : [];
    }),
  };
}
