// Correlation: an indicator reported by CORRELATION_MIN_USERS or more distinct users within
// CORRELATION_WINDOW_HOURS becomes one `correlated` event and enters the system feed "correlated" —
// once per window. Only public sightings outside system feeds count: private reports never surface.
import type { IndicatorType } from '../indicators';
import { publishOnce } from './marks';
import type { Analyzer, Finding } from './types';

export const correlationAnalyzer: Analyzer = {
  name: 'correlation',
  async analyze(inputs, ctx) {
    const now = ctx.now();
    const windowMs = ctx.config.CORRELATION_WINDOW_HOURS * 3_600_000;
    const since = new Date(now - windowMs);
    const hours = ctx.config.CORRELATION_WINDOW_HOURS;
    // The indicator row's public counters (kept by ingest) rule out most values before their
    // sightings are read: fewer public sightings than CORRELATION_MIN_USERS, or none in the
    // window, cannot make CORRELATION_MIN_USERS distinct recent reporters.
    const rows = await ctx.sql.query<{ type: string; value: string; users: number; confidence: number }>(
      `SELECT i.type::text AS type, i.value, count(DISTINCT s.reporter_id)::int AS users, max(s.confidence)::int AS confidence
       FROM (SELECT DISTINCT t, v FROM jsonb_to_recordset($1::jsonb) AS x(t text, v text)) x
       JOIN indicators i ON i.type = x.t::"IndicatorType" AND i.value = x.v AND i.public_count >= $3 AND i.public_last_seen > $2
       JOIN sightings s ON s.indicator_id = i.id AND s.is_public AND s.reported_at > $2
       JOIN feeds f ON f.id = s.feed_id AND NOT f.is_system
       GROUP BY i.type, i.value
       HAVING count(DISTINCT s.reporter_id) >= $3`,
      [JSON.stringify(inputs.map((i) => ({ t: i.type, v: i.value }))), since.toISOString(), ctx.config.CORRELATION_MIN_USERS],
    );
    const byKey = new Map<string, Finding>();
    for (const row of rows) {
      const summary = `reported by ${row.users} distinct users within ${hours} h`;
      await publishOnce(ctx.sql, { analyzer: 'correlation', key: `${row.type}:${row.value}`, at: new Date(now), notBefore: since }, () =>
        ctx.publish(
          'correlated',
          [{ value: row.value, type: row.type as IndicatorType, tags: ['correlated'], confidence: row.confidence, description: summary }],
          'correlated',
        ),
      );
      byKey.set(`${row.type}:${row.value}`, { analyzer: 'correlation', kind: 'correlated', summary, data: { users: row.users, windowHours: hours }, at: new Date(now).toISOString() });
    }
    return inputs.map((i) => {
      const f = byKey.get(`${i.type}:${i.value}`);
      return f ? [f] : [];
    });
  },
};
