// This instance's federation id: generated once by the migration that created federation_instance
// and stored there, so it survives restarts and is shared by every node of the instance.
import type { SqlSession } from '../db/sql-driver';

const cache = new WeakMap<object, Promise<string>>();

export function getInstanceId(sql: SqlSession): Promise<string> {
  let pending = cache.get(sql);
  if (!pending) {
    pending = sql.query<{ id: string }>(`SELECT id FROM federation_instance`).then(([row]) => {
      if (!row) throw new Error('federation_instance is empty: the federation migration did not run');
      return row.id;
    });
    pending.catch(() => cache.delete(sql));
    cache.set(sql, pending);
  }
  return pending;
}

/**
 * The shape of an instance id (the migration's gen_random_uuid()::text) and of an event id (a
 * uuid): what an event's origin must carry to be taken from a peer. Lower case, as generated.
 */
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const isInstanceId = (value: unknown): value is string => typeof value === 'string' && UUID_RE.test(value);
