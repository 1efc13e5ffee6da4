// The peer-link lease (lib/federation/lease.ts) on the real database of each mode: one owner at a
// time, renewals by the holder only, a takeover once the holder stopped renewing, and the cursor
// fenced by owner (a node that lost the lease cannot move the link's cursor). On PostgreSQL the
// owners race from separate pool connections, as nodes do.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLinkLease, findRunnableLinks, releaseLinkLease } from '@/lib/federation/lease';
import { applyPeerBatch, LeaseLostError } from '@/lib/federation/receive';
import { compileRules } from '@/lib/federation/rules';
import type { FirehoseEvent } from '@/lib/events';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
let linkId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const [row] = await t.db.sql.query<{ id: string }>(
    `INSERT INTO peer_links (name, url, token) VALUES ('remote', 'http://127.0.0.1:9', 'slc_x') RETURNING id::text AS id`,
  );
  linkId = row.id;
}, 240_000);

afterAll(async () => {
  await t?.drop();
});

const holder = async () => (await t.db.sql.query<{ lease_owner: string | null }>(`SELECT lease_owner FROM peer_links WHERE id = $1::uuid`, [linkId]))[0].lease_owner;
/** The holder "dies": its lease runs out without a renewal. */
const expire = () => t.db.sql.query(`UPDATE peer_links SET lease_until = now() - interval '1 second' WHERE id = $1::uuid`, [linkId]);

describe(`peer link lease (${usingPostgres ? 'PostgreSQL' : 'embedded'})`, () => {
  it('lets exactly one of several racing nodes take a free link', async () => {
    const owners = ['node-1', 'node-2', 'node-3', 'node-4'];
    const won = await Promise.all(owners.map((o) => acquireLinkLease(t.db.sql, linkId, o, 30)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = owners[won.indexOf(true)];
    expect(await holder()).toBe(winner);
    // The holder renews; the others are refused and do not see the link as runnable.
    expect(await acquireLinkLease(t.db.sql, linkId, winner, 30)).toBe(true);
    for (const o of owners.filter((x) => x !== winner)) {
      expect(await acquireLinkLease(t.db.sql, linkId, o, 30)).toBe(false);
      expect(await findRunnableLinks(t.db.sql, o)).toEqual([]);
    }
    expect(await findRunnableLinks(t.db.sql, winner)).toEqual([{ id: linkId, name: 'remote' }]);
    await releaseLinkLease(t.db.sql, linkId, winner);
  });

  it('hands the link to another node once the holder stopped renewing, and fences the old holder’s cursor', async () => {
    expect(await acquireLinkLease(t.db.sql, linkId, 'dead', 30)).toBe(true);
    expect(await acquireLinkLease(t.db.sql, linkId, 'survivor', 30)).toBe(false);
    await expire();
    expect(await findRunnableLinks(t.db.sql, 'survivor')).toHaveLength(1);
    expect(await acquireLinkLease(t.db.sql, linkId, 'survivor', 30)).toBe(true);
    expect(await holder()).toBe('survivor');
    // The old holder, back from a stall, can neither renew nor write the cursor.
    expect(await acquireLinkLease(t.db.sql, linkId, 'dead', 30)).toBe(false);
    const frame = [{ kind: 'heartbeat', cursor: '123-0' }] as unknown as FirehoseEvent[];
    const deps = {
      sql: t.db.sql,
      ingest: () => Promise.reject(new Error('nothing in this frame is ingested')),
      localInstance: 'here',
      maxHops: 8,
    };
    const link = { id: linkId, name: 'remote', systemUserId: '00000000-0000-0000-0000-000000000000', inbound: compileRules({}) };
    await expect(applyPeerBatch(deps, { ...link, owner: 'dead' }, frame)).rejects.toBeInstanceOf(LeaseLostError);
    const outcome = await applyPeerBatch(deps, { ...link, owner: 'survivor' }, frame);
    expect(outcome).toMatchObject({ applied: 0, dropped: 1, cursor: '123-0' });
    const [row] = await t.db.sql.query<{ cursor: string }>(`SELECT cursor FROM peer_links WHERE id = $1::uuid`, [linkId]);
    expect(row.cursor).toBe('123-0');
    // A release by a node that is not the holder changes nothing.
    await releaseLinkLease(t.db.sql, linkId, 'dead');
    expect(await holder()).toBe('survivor');
  });

  it('never leases a paused link, even to its last holder', async () => {
    await t.db.sql.query(`UPDATE peer_links SET paused = true WHERE id = $1::uuid`, [linkId]);
    expect(await acquireLinkLease(t.db.sql, linkId, 'survivor', 30)).toBe(false);
    expect(await findRunnableLinks(t.db.sql, 'survivor')).toEqual([]);
  });
});
