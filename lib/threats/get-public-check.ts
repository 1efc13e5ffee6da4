// The answer GET /api/v1/check/{value} gives a caller who has no feeds of their own: the public view.
// It reuses lib/search's checkIndicator with a caller id no user can have (the nil uuid), so the
// visibility rule reduces to public sightings only.
import type { SqlDriver } from '../db/sql-driver';
import { checkIndicator, type CheckResult } from '../search/check-indicator';
import type { IndicatorType } from '../indicators/types';

export const ANONYMOUS_CALLER = '00000000-0000-0000-0000-000000000000';

export function getPublicCheck(sql: SqlDriver, indicator: { type: IndicatorType; value: string }): Promise<CheckResult> {
  return checkIndicator(sql, ANONYMOUS_CALLER, { value: indicator.value, type: indicator.type });
}
