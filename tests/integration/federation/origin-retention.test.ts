// The origins of events received from peers (lib/federation/origins.ts) are deleted once past their
// retention, in short batches, on the real database of each mode; newer ones stay.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneFederatedEvents } from '@/lib/federation/origins';
import { createTestDatabase, usingPostgres, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
const DAY_MS = 86_400_000;

beforeAll(async () => {
  t = await createTestDatabase();
}, 240_000);

afterAll(async () => {
  await t?.drop();
});

/** `n` origins of one instance received `daysAgo` days ago. */
async function receive(instance: string, n: number, daysAgo: number): Promise<void> {
  await t.db.sql.query(
    `INSERT INTO federated_events (origin_instance, origin_event_id, hops, link_name, received_at)
     SELECT $1, gen_random_uuid()::text, 1, 'peer', now() - $2 * interval '1 day' FROM generate_series(1, $3)`,
    [instance, daysAgo, n],
  );
}

const count = async (instance: string) =>
  (await t.db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM federated_events WHERE origin_instance = $1`, [instance]))[0].n;

describe(`federated event origins retention (${usingPostgres ? 'PostgreSQL' : 'embedded'})`, () => {
  it('deletes the origins older than the retention, batch by batch, and keeps the newer ones', async () => {
    await receive('old', 25, 9);
    await receive('edge', 5, 6.9);
    await receive('new', 7, 0);
    // A batch of 10 takes three statements for the 25 old rows.
    expect(await pruneFederatedEvents(t.db.sql, 7 * DAY_MS, 10)).toBe(25);
    expect([await count('old'), await count('edge'), await count('new')]).toEqual([0, 5, 7]);
    expect(await pruneFederatedEvents(t.db.sql, 7 * DAY_MS, 10)).toBe(0);
  });

});
