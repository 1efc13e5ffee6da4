// What /admin and `sluice admin peer list` show per link: state, lag, last event, events in/out
// per minute (summed over every node), the last error.
import type { SqlSession } from '../db/sql-driver';

export interface PeerStatus {
  name: string;
  url: string;
  state: 'connected' | 'connecting' | 'paused' | 'serve-only' | 'no runner';
  community: boolean;
  /** Age of the newest applied event when it was applied: now − its report time at the origin. */
  lagMs: number | null;
  lastEventAt: string | null;
  inPerMinute: number;
  outPerMinute: number;
  lastError: string | null;
  lastErrorAt: string | null;
  remoteInstance: string | null;
  inboundPrefix: string | null;
  outbound: unknown;
  inbound: unknown;
}

const iso = (v: Date | string | null) => (v === null ? null : new Date(v).toISOString());

export async function findPeerStatus(sql: SqlSession): Promise<PeerStatus[]> {
  const rows = await sql.query<{
    name: string;
    url: string;
    token: boolean;
    paused: boolean;
    connected: boolean;
    leased: boolean;
    community: boolean;
    lag_ms: number | null;
    last_event_at: Date | string | null;
    last_error: string | null;
    last_error_at: Date | string | null;
    remote_instance: string | null;
    inbound_prefix: string | null;
    outbound: unknown;
    inbound: unknown;
    in_pm: number;
    out_pm: number;
  }>(
    `SELECT l.name, l.url, l.token IS NOT NULL AS token, l.paused, l.connected, COALESCE(l.lease_until > now(), false) AS leased, l.community,
       l.lag_ms, l.last_event_at, l.last_error, l.last_error_at, l.remote_instance, t.prefix AS inbound_prefix, l.outbound, l.inbound,
       COALESCE((SELECT sum(m.events_in) FROM peer_link_minutes m WHERE m.link_id = l.id AND m.minute >= date_trunc('minute', now()) - interval '1 minute'), 0)::int AS in_pm,
       COALESCE((SELECT sum(m.events_out) FROM peer_link_minutes m WHERE m.link_id = l.id AND m.minute >= date_trunc('minute', now()) - interval '1 minute'), 0)::int AS out_pm
     FROM peer_links l LEFT JOIN api_tokens t ON t.id = l.inbound_token_id ORDER BY l.name`,
  );
  return rows.map((r) => ({
    name: r.name,
    url: r.url,
    state: r.paused ? 'paused' : !r.token ? 'serve-only' : r.connected && r.leased ? 'connected' : r.leased ? 'connecting' : 'no runner',
    community: r.community,
    lagMs: r.lag_ms,
    lastEventAt: iso(r.last_event_at),
    // The current minute and the one before: a rate over the last 60–120 s, halved to per minute.
    inPerMinute: Math.round(r.in_pm / 2),
    outPerMinute: Math.round(r.out_pm / 2),
    lastError: r.last_error,
    lastErrorAt: iso(r.last_error_at),
    remoteInstance: r.remote_instance,
    inboundPrefix: r.inbound_prefix,
    outbound: r.outbound,
    inbound: r.inbound,
  }));
}
