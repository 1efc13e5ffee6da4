// The instance's STIX identity key: the firehose log's epoch, fixed when the database was created.
import type { SqlDriver } from '../db/sql-driver';
import type { StixInstance } from './objects';

const byDriver = new WeakMap<SqlDriver, { key: string; created: string }>();

export async function getStixInstance(sql: SqlDriver, options: { name?: string; baseUrl?: string } = {}): Promise<StixInstance> {
  let base = byDriver.get(sql);
  if (!base) {
    const [row] = await sql.query<{ epoch: string }>(`SELECT epoch::text AS epoch FROM firehose_log_meta WHERE id = 1`);
    const epoch = row?.epoch ?? '0';
    base = { key: epoch, created: new Date(Number(epoch)).toISOString() };
    byDriver.set(sql, base);
  }
  return { ...base, name: options.name ?? 'Sluice', ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) };
}
