// Events in and out per peer link, counted in memory on whichever node saw them (the link's runner
// for "in", the gateway node serving the peer's stream for "out") and added to per-minute rows
// every few seconds, so /admin shows the sum over every node.
import type { SqlSession } from '../db/sql-driver';
import { processSlot } from '../process-state';

type Tally = Map<string, { in: number; out: number }>;

const tally = (): Tally => processSlot<Tally>('federation.counters', () => new Map());

export function countPeerEvents(linkId: string, direction: 'in' | 'out', n: number): void {
  if (n <= 0) return;
  const all = tally();
  const t = all.get(linkId) ?? { in: 0, out: 0 };
  t[direction] += n;
  all.set(linkId, t);
}

/** Adds what was counted since the last flush to this minute's rows; keeps an hour of rows. */
export async function flushPeerCounters(sql: SqlSession): Promise<void> {
  const all = tally();
  if (!all.size) return;
  const rows = [...all].map(([id, t]) => ({ id, i: t.in, o: t.out }));
  all.clear();
  try {
    // The join skips links removed meanwhile (no foreign-key failure for the whole flush).
    await sql.query(
      `INSERT INTO peer_link_minutes (link_id, minute, events_in, events_out)
       SELECT l.id, date_trunc('minute', now()), x.i, x.o FROM jsonb_to_recordset($1::jsonb) AS x(id uuid, i int, o int) JOIN peer_links l ON l.id = x.id
       ON CONFLICT (link_id, minute) DO UPDATE SET events_in = peer_link_minutes.events_in + EXCLUDED.events_in,
         events_out = peer_link_minutes.events_out + EXCLUDED.events_out`,
      [JSON.stringify(rows)],
    );
    await sql.query(`DELETE FROM peer_link_minutes WHERE minute < now() - interval '1 hour'`);
  } catch (error) {
    // Not lost: counted again at the next flush.
    for (const r of rows) {
      countPeerEvents(r.id, 'in', r.i);
      countPeerEvents(r.id, 'out', r.o);
    }
    throw error;
  }
}
