// The ingest function: partial acceptance, one transaction, new vs sighting, public vs private.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { countRows, createUser, ingest, makeFeed, outboxPayloads } from './helpers';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

describe('ingestIndicators', () => {
  it('keeps the valid items of a batch and reports each rejected one with its index and reason', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'mixed');
    const result = await ingest(t.db, {
      ownerId: user.id,
      feed: 'mixed',
      items: [
        { value: 'hxxp://Evil-Partial.COM/Path?q=1', tags: ['Phishing'] },
        { value: 'not an indicator' },
        { value: '10.1.2.3' },
        { value: 42 },
        { value: 'evil-partial.com', type: 'domain', confidence: 90 },
        { value: '1.2.3.4', type: 'sha1' },
        'ab3f1c5c8e9a4d1b2c3d4e5f60718293',
        { value: 'x.org', unexpected: true },
      ],
    });
    expect(result.accepted).toBe(3);
    expect(result.rejected).toBe(5);
    expect(result.results.map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected', 'rejected', 'accepted', 'rejected', 'accepted', 'rejected']);
    expect(result.results[0]).toMatchObject({ index: 0, type: 'url', value: 'http://evil-partial.com/Path?q=1', kind: 'new' });
    expect(result.results[1]).toMatchObject({ index: 1, status: 'rejected', input: 'not an indicator' });
    expect(result.results[2]).toMatchObject({ index: 2, code: 'never_publish' });
    expect((result.results[2] as { reason: string }).reason).toMatch(/private address range/);
    expect(result.results[3]).toMatchObject({ index: 3, code: 'invalid_item', input: '42' });
    expect(result.results[4]).toMatchObject({ type: 'domain', value: 'evil-partial.com' });
    expect(result.results[6]).toMatchObject({ type: 'md5' });
    expect((result.results[7] as { reason: string }).reason).toMatch(/unexpected/);
  });

  it('marks the first public sighting "new" and later ones "sighting", with public counts', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'kinds');
    const first = await ingest(t.db, { ownerId: user.id, feed: 'kinds', items: ['kinds-a.com', 'kinds-a.com', 'kinds-b.com'] });
    expect(first.results.map((r) => (r.status === 'accepted' ? r.kind : r.status))).toEqual(['new', 'sighting', 'new']);
    const second = await ingest(t.db, { ownerId: user.id, feed: 'kinds', items: ['kinds-a.com'] });
    expect(second.results[0]).toMatchObject({ kind: 'sighting' });
    const events = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === 'kinds-a.com');
    expect(events.map((e) => [e.kind, e.indicator.count])).toEqual([
      ['new', 1],
      ['sighting', 2],
      ['sighting', 3],
    ]);
    expect(events[0]).toMatchObject({ feed: { slug: 'kinds', owner: user.id }, indicator: { type: 'domain', confidence: 50 } });
    const [row] = await t.db.sql.query<{ count: number; public_count: number }>(
      `SELECT count, public_count FROM indicators WHERE value = 'kinds-a.com'`,
    );
    expect(row).toEqual({ count: 3, public_count: 3 });
  });

  it('never writes an outbox row for a private feed, and private sightings do not make a later public one "sighting"', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'secret', 'AMBER');
    await makeFeed(t.db, user.id, 'open', 'CLEAR');
    const before = await countRows(t.db, 'outbox');
    const priv = await ingest(t.db, { ownerId: user.id, feed: 'secret', items: ['private-first.net', 'private-first.net'] });
    expect(priv.accepted).toBe(2);
    expect(priv.results[0]).not.toHaveProperty('kind');
    expect(await countRows(t.db, 'outbox')).toBe(before);
    const pub = await ingest(t.db, { ownerId: user.id, feed: 'open', items: ['private-first.net'] });
    expect(pub.results[0]).toMatchObject({ kind: 'new' });
    const events = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === 'private-first.net');
    expect(events).toHaveLength(1);
    expect(events[0].indicator.count).toBe(1);
    const [row] = await t.db.sql.query<{ count: number; public_count: number }>(
      `SELECT count, public_count FROM indicators WHERE value = 'private-first.net'`,
    );
    expect(row).toEqual({ count: 3, public_count: 1 });
    const sightings = await t.db.sql.query<{ is_public: boolean }>(
      `SELECT s.is_public FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE i.value = 'private-first.net' ORDER BY s.id`,
    );
    expect(sightings.map((s) => s.is_public)).toEqual([false, false, true]);
  });

  it('stores tags, confidence, description, reference, port and reportedAt on the sighting', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'details');
    const reportedAt = '2026-01-02T03:04:05.678Z';
    await ingest(t.db, {
      ownerId: user.id,
      feed: 'details',
      items: [{ value: '185.220.101.7:8443', tags: ['C2', 'c2', ' Botnet '], confidence: 80, description: 'seen\ntwice', reference: 'https://ref.example.org/x', reportedAt }],
    });
    const [s] = await t.db.sql.query<Record<string, unknown>>(
      `SELECT s.tags, s.confidence, s.description, s.reference, s.port, s.reported_at, i.type::text AS type, i.value
       FROM sightings s JOIN indicators i ON i.id = s.indicator_id WHERE i.value = '185.220.101.7'`,
    );
    expect(s).toMatchObject({ tags: ['c2', 'botnet'], confidence: 80, description: 'seen\ntwice', reference: 'https://ref.example.org/x', port: 8443, type: 'ipv4' });
    expect(new Date(s.reported_at as string).toISOString()).toBe(reportedAt);
    const [event] = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === '185.220.101.7');
    expect(event).toMatchObject({ reportedAt, indicator: { tags: ['c2', 'botnet'], confidence: 80, firstSeen: reportedAt, lastSeen: reportedAt } });
  });

  it('applies the configured never-publish allow-list', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'allow');
    const result = await ingest(
      t.db,
      { ownerId: user.id, feed: 'allow', items: ['mail.goodcorp.com', '81.2.69.160', 'badcorp.com'] },
      { domains: ['goodcorp.com'], networks: ['81.2.69.0/24'] },
    );
    expect(result.results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'accepted']);
    expect(result.results[0]).toMatchObject({ code: 'never_publish' });
  });

  it('answers 404 for an unknown feed or another user\'s feed, writing nothing', async () => {
    const alice = await createUser(t.db);
    const bob = await createUser(t.db);
    await makeFeed(t.db, bob.id, 'bobs', 'RED');
    const before = await countRows(t.db, 'sightings');
    await expect(ingest(t.db, { ownerId: alice.id, feed: 'bobs', items: ['x-unknown-feed.com'] })).rejects.toMatchObject({ status: 404, code: 'feed_not_found' });
    await expect(ingest(t.db, { ownerId: alice.id, feed: 'nope', items: ['x-unknown-feed.com'] })).rejects.toMatchObject({ status: 404 });
    expect(await countRows(t.db, 'sightings')).toBe(before);
  });

  it('is atomic: when a statement fails, no indicator, sighting or outbox row of the batch remains', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'atomic');
    const counts = async () => [await countRows(t.db, 'indicators'), await countRows(t.db, 'sightings'), await countRows(t.db, 'outbox')];
    const before = await counts();
    // A trigger that fails the outbox insert: the indicator upsert and sightings before it must roll back.
    await t.db.sql.exec(`CREATE FUNCTION fail_outbox() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'boom'; END $$ LANGUAGE plpgsql;
      CREATE TRIGGER fail_outbox BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION fail_outbox();`);
    try {
      await expect(ingest(t.db, { ownerId: user.id, feed: 'atomic', items: ['atomic-1.com', 'atomic-2.com', 'bad value'] })).rejects.toThrow(/boom/);
    } finally {
      await t.db.sql.exec(`DROP TRIGGER fail_outbox ON outbox; DROP FUNCTION fail_outbox();`);
    }
    expect(await counts()).toEqual(before);
    const ok = await ingest(t.db, { ownerId: user.id, feed: 'atomic', items: ['atomic-1.com'] });
    expect(ok.results[0]).toMatchObject({ kind: 'new' });
  });

  it('counts correctly under concurrent batches of the same indicators', async () => {
    const user = await createUser(t.db);
    await makeFeed(t.db, user.id, 'race');
    const values = Array.from({ length: 50 }, (_, i) => `race-${i}.com`);
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, k) => ingest(t.db, { ownerId: user.id, feed: 'race', items: k % 2 ? [...values].reverse() : values })),
    );
    const kinds = results.flatMap((r) => r.results.map((o) => (o.status === 'accepted' ? o.kind : 'x')));
    expect(kinds.filter((k) => k === 'new')).toHaveLength(50);
    const rows = await t.db.sql.query<{ count: number; public_count: number }>(`SELECT count, public_count FROM indicators WHERE value LIKE 'race-%'`);
    expect(rows).toHaveLength(50);
    expect(rows.every((r) => r.count === 6 && r.public_count === 6)).toBe(true);
  });
});
