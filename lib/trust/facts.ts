// What the indicator page says about a public value's trust (docs/trust.md): distinct reporters,
// warning lists it is on, open disputes. Public facts only.
import type { SqlDriver } from '../db/sql-driver';
import type { IndicatorType } from '../indicators/types';
import { defaultTrustPolicy } from './policy';

export interface TrustFacts {
  reporters: number;
  warnings: string[];
  openDisputes: number;
}

export async function getTrustFacts(sql: SqlDriver, indicator: { type: IndicatorType; value: string }): Promise<TrustFacts> {
  const [matcher, rows] = await Promise.all([
    defaultTrustPolicy().lists.current(sql),
    sql.query<{ reporters: number; disputes: number }>(
      `SELECT (SELECT count(*) FROM indicator_reporters r WHERE r.indicator_id = i.id AND r.public)::int AS reporters,
              (SELECT count(*) FROM indicator_disputes d WHERE d.indicator_id = i.id AND d.status = 'open')::int AS disputes
       FROM indicators i WHERE i.type = $1::"IndicatorType" AND i.value = $2 AND i.public_count > 0`,
      [indicator.type, indicator.value],
    ),
  ]);
  return { reporters: rows[0]?.reporters ?? 0, warnings: matcher.match(indicator.type, indicator.value), openDisputes: rows[0]?.disputes ?? 0 };
}
