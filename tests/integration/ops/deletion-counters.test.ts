// Deleting a feed or an account recomputes the counters of the indicators it reported, in the same
// transaction (issue 10): a value only that feed reported publicly leaves /threats, /i/… and /check
// for everyone else; counts drop when one of two reporting feeds goes, and later events count on
// from the right number.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteAccount } from '@/lib/accounts/delete-account';
import { subscribeControl, type ControlMessage } from '@/lib/control';
import { deleteFeed } from '@/lib/feeds';
import { checkIndicator } from '@/lib/search';
import { findRecentThreats, getIndicatorDetail } from '@/lib/threats';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '../../helpers/test-env';
import { createUser, createUserWithToken, ingest, makeFeed, outboxPayloads } from '../ingest/helpers';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
});
afterAll(async () => {
  await deleteRedisPrefix(engines);
  await engines.close();
  await t.drop();
});

const domain = (value: string) => ({ type: 'domain' as const, value });
const inThreats = async (value: string) => (await findRecentThreats(t.db.sql, { type: null, tag: null }, { pool: 1000, sample: 1000 })).items.some((i) => i.value === value);
const counters = (value: string) =>
  t.db.prisma.indicator.findUnique({ where: { type_value: { type: 'domain', value } }, select: { count: true, publicCount: true, publicFirstSeen: true, publicLastSeen: true, firstSeen: true, lastSeen: true } });

describe('deleting a feed', () => {
  it('removes a value only it reported publicly from /threats, /i/… and /check for others, and lowers shared counts', async () => {
    const alice = await createUser(t.db);
    const bob = await createUser(t.db);
    const carol = await createUser(t.db); // anyone else looking
    await makeFeed(t.db, alice.id, 'pub');
    await makeFeed(t.db, alice.id, 'mine', 'AMBER');
    await makeFeed(t.db, bob.id, 'pub');
    await ingest(t.db, { ownerId: alice.id, feed: 'pub', items: [{ value: 'only-alice.badsite.net', reportedAt: '2026-11-20T10:00:00Z' }, { value: 'both.badsite.net', reportedAt: '2026-11-20T10:00:00Z' }] });
    await ingest(t.db, { ownerId: alice.id, feed: 'mine', items: [{ value: 'only-alice.badsite.net', reportedAt: '2026-11-21T10:00:00Z' }] });
    await ingest(t.db, { ownerId: bob.id, feed: 'pub', items: [{ value: 'both.badsite.net', reportedAt: '2026-11-22T10:00:00Z' }] });

    expect(await inThreats('only-alice.badsite.net')).toBe(true);
    expect((await getIndicatorDetail(t.db.sql, domain('both.badsite.net')))?.sightings).toBe(2);

    await deleteFeed(t.db.prisma, alice.id, 'pub');

    // Only a private sighting is left: public nowhere, for anyone but alice.
    expect(await inThreats('only-alice.badsite.net')).toBe(false);
    expect(await getIndicatorDetail(t.db.sql, domain('only-alice.badsite.net'))).toBeNull();
    expect((await checkIndicator(t.db.sql, carol.id, { value: 'only-alice.badsite.net' })).known).toBe(false);
    expect(await checkIndicator(t.db.sql, alice.id, { value: 'only-alice.badsite.net' })).toMatchObject({ known: true, sightings: 1 });
    expect(await counters('only-alice.badsite.net')).toMatchObject({ count: 1, publicCount: 0, publicFirstSeen: null, publicLastSeen: null, firstSeen: new Date('2026-11-21T10:00:00Z') });

    // Shared with bob: one public sighting left, seen from bob's time on.
    expect(await counters('both.badsite.net')).toMatchObject({
      count: 1,
      publicCount: 1,
      firstSeen: new Date('2026-11-22T10:00:00Z'),
      publicFirstSeen: new Date('2026-11-22T10:00:00Z'),
    });
    expect((await getIndicatorDetail(t.db.sql, domain('both.badsite.net')))?.sightings).toBe(1);
    expect(await checkIndicator(t.db.sql, carol.id, { value: 'both.badsite.net' })).toMatchObject({ known: true, sightings: 1 });

    // alice is no longer one of its reporters (corroboration counts distinct reporters).
    const both = await t.db.prisma.indicator.findUniqueOrThrow({ where: { type_value: { type: 'domain', value: 'both.badsite.net' } }, select: { id: true } });
    const reporters = await t.db.prisma.indicatorReporter.findMany({ where: { indicatorId: both.id }, select: { reporterId: true, public: true } });
    expect(reporters).toEqual([{ reporterId: bob.id, public: true }]);

    // A later sighting counts on from the right number (the firehose event's `count`).
    await ingest(t.db, { ownerId: bob.id, feed: 'pub', items: [{ value: 'both.badsite.net' }] });
    const last = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === 'both.badsite.net').at(-1)!;
    expect(last.indicator.count).toBe(2);
    expect(last.kind).toBe('sighting');
  });

  it('an indicator nobody reports any more is gone entirely', async () => {
    const dan = await createUser(t.db);
    await makeFeed(t.db, dan.id, 'pub');
    await ingest(t.db, { ownerId: dan.id, feed: 'pub', items: [{ value: 'gone.badsite.net' }] });
    await deleteFeed(t.db.prisma, dan.id, 'pub');
    expect(await counters('gone.badsite.net')).toBeNull();
    // Reported again later, it is `new` again, with count 1.
    await makeFeed(t.db, dan.id, 'again');
    await ingest(t.db, { ownerId: dan.id, feed: 'again', items: [{ value: 'gone.badsite.net' }] });
    const event = (await outboxPayloads(t.db)).filter((e) => e.indicator.value === 'gone.badsite.net').at(-1)!;
    expect(event).toMatchObject({ kind: 'new', indicator: { count: 1 } });
  });

  it('a retracted indicator keeps its retraction when its last feed goes (it cannot come back public)', async () => {
    const { retractIndicator } = await import('@/lib/trust/retract');
    const gil = await createUser(t.db);
    await makeFeed(t.db, gil.id, 'pub');
    await ingest(t.db, { ownerId: gil.id, feed: 'pub', items: [{ value: 'retracted.badsite.net' }] });
    await retractIndicator(t.db.sql, { type: 'domain', value: 'retracted.badsite.net', reason: 'false positive' });
    await deleteFeed(t.db.prisma, gil.id, 'pub');
    const row = await t.db.prisma.indicator.findUniqueOrThrow({ where: { type_value: { type: 'domain', value: 'retracted.badsite.net' } } });
    expect(row).toMatchObject({ count: 0, publicCount: 0, heldCount: 0, publicFirstSeen: null });
    expect(row.retractedAt).not.toBeNull();
  });
});

describe('deleting an account', () => {
  it('recomputes what it reported, ends its streams, and refuses while Stripe bills it', async () => {
    const heard: ControlMessage[] = [];
    const unsubscribe = await subscribeControl(engines, (m) => heard.push(m));
    try {
      const { user: erin, token } = await createUserWithToken(t.db, 'firehose');
      const frank = await createUser(t.db);
      await makeFeed(t.db, erin.id, 'pub');
      await makeFeed(t.db, frank.id, 'pub');
      await ingest(t.db, { ownerId: erin.id, feed: 'pub', items: [{ value: 'erin-only.badsite.net' }, { value: 'shared.badsite.net' }] });
      await ingest(t.db, { ownerId: frank.id, feed: 'pub', items: [{ value: 'shared.badsite.net' }] });
      expect(token).toMatch(/^slc_/);
      const tokenRow = await t.db.prisma.apiToken.findFirstOrThrow({ where: { userId: erin.id } });

      await t.db.prisma.subscription.create({ data: { userId: erin.id, provider: 'stripe', status: 'active' } });
      await expect(deleteAccount({ prisma: t.db.prisma, engines }, erin.id)).rejects.toMatchObject({ code: 'subscription_active', status: 409 });
      await t.db.prisma.subscription.update({ where: { userId: erin.id }, data: { status: 'canceled' } });

      const result = await deleteAccount({ prisma: t.db.prisma, engines }, erin.id);
      expect(result).toMatchObject({ indicatorsRemoved: 1, indicatorsRecomputed: 1 });
      expect(await t.db.prisma.user.findUnique({ where: { id: erin.id } })).toBeNull();
      expect(await inThreats('erin-only.badsite.net')).toBe(false);
      expect(await counters('erin-only.badsite.net')).toBeNull();
      expect(await counters('shared.badsite.net')).toMatchObject({ count: 1, publicCount: 1 });
      await expect.poll(() => heard).toContainEqual({ type: 'token_revoked', tokenId: tokenRow.id, userId: erin.id });
      expect(await t.db.prisma.controlOutbox.count()).toBe(0);
    } finally {
      await unsubscribe();
    }
  });
});
