// Expiry: an indicator whose last public sighting is older than its type's lifetime (EXPIRY_DAYS_IP
// for addresses, EXPIRY_DAYS_OTHER for the rest) gets one `expired` event in the system feed
// "expired". The event's reportedAt is the indicator's last public sighting, so publishing it does
// not make the indicator "seen" again; a later sighting makes it expire again in its turn. A retracted
// value (lib/trust/retract) already had its `retracted` event: it never expires.
import type { IndicatorType } from '../indicators';
import type { AnalyzerContext } from './types';

const DAY_MS = 86_400_000;

/** Expires one batch of due indicators; returns how many were published. */
export async function expireIndicators(ctx: AnalyzerContext, limit = 500): Promise<number> {
  const now = ctx.now();
  const ipCutoff = new Date(now - ctx.config.EXPIRY_DAYS_IP * DAY_MS).toISOString();
  const otherCutoff = new Date(now - ctx.config.EXPIRY_DAYS_OTHER * DAY_MS).toISOString();
  const due = await ctx.sql.query<{ type: IndicatorType; value: string; last: Date | string }>(
    `SELECT i.type::text AS type, i.value, i.public_last_seen AS last FROM indicators i
     WHERE i.public_last_seen < greatest($1::timestamptz, $2::timestamptz) AND i.retracted_at IS NULL
       AND i.public_last_seen < CASE WHEN i.type IN ('ipv4', 'ipv6') THEN $1::timestamptz ELSE $2::timestamptz END
       AND NOT EXISTS (SELECT 1 FROM analyzer_marks m WHERE m.analyzer = 'expiry' AND m.key = i.type::text || ':' || i.value AND m.fired_at >= i.public_last_seen)
     ORDER BY i.public_last_seen LIMIT $3`,
    [ipCutoff, otherCutoff, limit],
  );
  if (!due.length) return 0;
  const marks = due.map((d) => ({ k: `${d.type}:${d.value}`, at: new Date(d.last).toISOString() }));
  // One atomic claim for the batch: a concurrent scan claims a disjoint set.
  const claimed = await ctx.sql.query<{ key: string }>(
    `INSERT INTO analyzer_marks (analyzer, key, fired_at)
     SELECT 'expiry', x.k, x.at FROM jsonb_to_recordset($1::jsonb) AS x(k text, at timestamptz)
     ON CONFLICT (analyzer, key) DO UPDATE SET fired_at = EXCLUDED.fired_at WHERE analyzer_marks.fired_at < EXCLUDED.fired_at
     RETURNING key`,
    [JSON.stringify(marks)],
  );
  const mine = new Set(claimed.map((c) => c.key));
  const items = due
    .filter((d) => mine.has(`${d.type}:${d.value}`))
    .map((d) => ({ value: d.value, type: d.type, tags: ['expired'], reportedAt: new Date(d.last).toISOString(), description: `not seen since ${new Date(d.last).toISOString()}` }));
  if (!items.length) return 0;
  try {
    await ctx.publish('expired', items, 'expired');
  } catch (error) {
    await ctx.sql
      .query(`DELETE FROM analyzer_marks WHERE analyzer = 'expiry' AND key = ANY($1::text[])`, [[...mine]])
      .catch(() => undefined);
    throw error;
  }
  return items.length;
}
