// The system user and its public system feeds, where workers publish what they find. Created on
// first use (idempotent, safe from several nodes at once); the user has no password and no token.
import type { SqlDriver } from '../db/sql-driver';
import type { SystemFeedSlug } from './types';

export const SYSTEM_USER_EMAIL = 'system@sluice.invalid';

export const SYSTEM_FEEDS: Record<SystemFeedSlug, { name: string; description: string }> = {
  correlated: { name: 'Correlated', description: 'Indicators reported by several distinct users within the correlation window.' },
  'hot-networks': { name: 'Hot networks', description: 'Networks (/24, /48) with many distinct reported addresses.' },
  related: { name: 'Related', description: 'Hosts and domains taken from reported URLs and email addresses.' },
  expired: { name: 'Expired', description: 'Indicators not seen for their type’s lifetime.' },
};

const cache = new WeakMap<object, Promise<string>>();

/** The system user's id, creating the user and its feeds when missing. */
export function ensureSystemFeeds(sql: SqlDriver): Promise<string> {
  let pending = cache.get(sql);
  if (!pending) {
    pending = (async () => {
      // '!' is not an argon2 hash: nobody can sign in as the system user.
      await sql.query(`INSERT INTO users (email, password_hash, name) VALUES ($1, '!', 'Sluice') ON CONFLICT (email) DO NOTHING`, [SYSTEM_USER_EMAIL]);
      const [user] = await sql.query<{ id: string }>(`SELECT id::text AS id FROM users WHERE email = $1`, [SYSTEM_USER_EMAIL]);
      if (!user) throw new Error('system user could not be created');
      const feeds = Object.entries(SYSTEM_FEEDS).map(([slug, f]) => ({ s: slug, n: f.name, d: f.description }));
      await sql.query(
        `INSERT INTO feeds (owner_id, slug, name, description, tlp, is_system)
         SELECT $1::uuid, x.s, x.n, x.d, 'CLEAR', true FROM jsonb_to_recordset($2::jsonb) AS x(s text, n text, d text)
         ON CONFLICT (owner_id, slug) DO NOTHING`,
        [user.id, JSON.stringify(feeds)],
      );
      return user.id;
    })();
    pending.catch(() => cache.delete(sql));
    cache.set(sql, pending);
  }
  return pending;
}
