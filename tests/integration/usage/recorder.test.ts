// The usage recorder (lib/usage) on the configured database: counts from two recorders (two nodes)
// add up in usage_hours, a close adds what is buffered, stream time is split at hour boundaries,
// bad input is ignored and the buffer is bounded; readUsageSummary reads it back per hour, day and token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUsageRecorder, readUsageSummary } from '@/lib/usage';
import { createApiToken } from '@/lib/tokens';
import { createAccount } from '../../helpers/fixtures';
import { createTestDatabase, type TestDatabase } from '../../helpers/test-env';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

const HOUR = 3_600_000;

async function rows(userId: string) {
  return t.db.sql.query<{ token_id: string; hour: Date; requests: number; limited: number; submissions: number; lookups: number; stream_seconds: number; events_delivered: string }>(
    'SELECT token_id, hour, requests, limited, submissions, lookups, stream_seconds, events_delivered::text FROM usage_hours WHERE user_id = $1 ORDER BY hour, token_id',
    [userId],
  );
}

describe('usage recorder', () => {
  it('adds the counts of two nodes into one row per account, token and hour', async () => {
    const a = await createAccount(t.db.prisma, { plan: 'free' });
    const second = await createApiToken(t.db.prisma, { userId: a.user.id, name: 'second', scopes: ['read'] });
    const clock = { now: Date.UTC(2026, 10, 30, 10, 15) };
    const options = { flushMs: 60_000, now: () => clock.now };
    const nodeA = createUsageRecorder(t.db.sql, options);
    const nodeB = createUsageRecorder(t.db.sql, options);
    const subject = { userId: a.user.id, tokenId: a.tokenId };
    for (let i = 0; i < 7; i += 1) nodeA.add(subject, { requests: 1 });
    nodeA.add(subject, { lookups: 2, submissions: 100 });
    for (let i = 0; i < 5; i += 1) nodeB.add(subject, { requests: 1, limited: i < 2 ? 1 : 0 });
    nodeB.add({ userId: a.user.id, tokenId: second.id }, { requests: 3 });
    // Concurrent flushes from both nodes, twice (the second adds to rows the first made).
    await Promise.all([nodeA.flush(), nodeB.flush()]);
    nodeA.add(subject, { requests: 10 });
    clock.now += HOUR; // the next hour is a row of its own
    nodeB.add(subject, { requests: 4, eventsDelivered: 3_000_000_000 });
    await Promise.all([nodeA.close(), nodeB.close()]);

    const stored = await rows(a.user.id);
    const first = stored.filter((r) => r.token_id === a.tokenId);
    expect(first.map((r) => [r.hour.toISOString(), r.requests, r.limited, r.lookups, r.submissions, r.events_delivered])).toEqual([
      ['2026-11-30T10:00:00.000Z', 22, 2, 2, 100, '0'],
      ['2026-11-30T11:00:00.000Z', 4, 0, 0, 0, '3000000000'],
    ]);
    expect(stored.find((r) => r.token_id === second.id)?.requests).toBe(3);

    const summary = await readUsageSummary(t.db.prisma, a.user.id, { now: new Date(clock.now) });
    expect(summary.today.requests).toBe(29);
    expect(summary.currentHour.requests).toBe(4);
    expect(summary.days.at(-1)).toMatchObject({ day: '2026-11-30', totals: { requests: 29, limited: 2, lookups: 2, submissions: 100 } });
    expect(summary.days).toHaveLength(30);
    expect(summary.hours).toHaveLength(48);
    expect(summary.hours.at(-2)).toMatchObject({ hour: '2026-11-30T10:00:00.000Z', totals: { requests: 25 } });
    expect(summary.tokens.map((tk) => [tk.name, tk.today.requests])).toEqual([
      ['test', 26],
      ['second', 3],
    ]);
    expect(summary.allowances[0]).toMatchObject({ name: 'requests_per_day', used: 29, limit: 5000 });
    expect(summary.warnings).toEqual([]);
    // The warning at 80 % of the day's allowance.
    const warned = await readUsageSummary(t.db.prisma, a.user.id, { now: new Date(clock.now), requestsPerDay: 36 });
    expect(warned.warnings.map((w) => [w.name, w.percent])).toEqual([['requests_per_day', 80]]);
  });

  it('splits stream time at hour boundaries and adds the open streams at close', async () => {
    const a = await createAccount(t.db.prisma);
    const clock = { now: Date.UTC(2026, 10, 30, 9, 59, 30) };
    const recorder = createUsageRecorder(t.db.sql, { flushMs: 60_000, now: () => clock.now });
    const subject = { userId: a.user.id, tokenId: a.tokenId };
    const closed = recorder.openStream(subject);
    const open = recorder.openStream(subject);
    closed.delivered(5);
    clock.now += 45_000; // 30 s in the 09:00 hour, 15 s in 10:00
    closed.close();
    closed.close(); // twice counts once
    open.delivered(2);
    await recorder.flush();
    clock.now += 60_000;
    await recorder.close(); // `open` is still open: its time up to now is added
    const stored = await rows(a.user.id);
    expect(stored.map((r) => [r.hour.toISOString(), r.stream_seconds, r.events_delivered])).toEqual([
      ['2026-11-30T09:00:00.000Z', 60, '5'],
      ['2026-11-30T10:00:00.000Z', 15 + 75, '2'],
    ]);
    expect(recorder.stats()).toMatchObject({ openStreams: 0, bufferedRows: 0 });
  });

  it('counts a stream’s frames without reading the clock per frame (the gateway calls it per socket per flush)', async () => {
    const a = await createAccount(t.db.prisma);
    let reads = 0;
    const clock = { now: Date.UTC(2026, 10, 30, 11, 59, 58) };
    const recorder = createUsageRecorder(t.db.sql, {
      flushMs: 60_000,
      now: () => {
        reads += 1;
        return clock.now;
      },
    });
    const stream = recorder.openStream({ userId: a.user.id, tokenId: a.tokenId });
    const opened = reads;
    for (let frame = 0; frame < 1000; frame += 1) stream.delivered(3);
    expect(reads - opened).toBe(1); // once, for the hour of the first frame since the last flush
    await recorder.flush();
    clock.now += 4_000; // 12:00:02: the next frames count in the new hour
    for (let frame = 0; frame < 10; frame += 1) stream.delivered(1);
    stream.close();
    await recorder.close();
    const stored = await rows(a.user.id);
    expect(stored.map((r) => [r.hour.toISOString(), r.events_delivered])).toEqual([
      ['2026-11-30T11:00:00.000Z', '3000'],
      ['2026-11-30T12:00:00.000Z', '10'],
    ]);
  });

  it('ignores bad input, skips deleted accounts and bounds what waits in memory', async () => {
    const a = await createAccount(t.db.prisma);
    const gone = await createAccount(t.db.prisma);
    const recorder = createUsageRecorder(t.db.sql, { flushMs: 60_000, maxKeys: 3 });
    const subject = { userId: a.user.id, tokenId: a.tokenId };
    recorder.add({ userId: "x'; DROP TABLE usage_hours; --", tokenId: a.tokenId }, { requests: 1 });
    recorder.add(subject, { requests: -5, lookups: Number.NaN, submissions: Infinity, limited: 1.9 });
    recorder.add({ userId: gone.user.id, tokenId: gone.tokenId }, { requests: 1 });
    await t.db.prisma.user.delete({ where: { id: gone.user.id } });
    // Three rows at most: a fourth and fifth distinct (account, token, hour) are dropped and counted.
    recorder.add({ userId: a.user.id, tokenId: '00000000-0000-4000-8000-00000000000a' }, { requests: 1 });
    recorder.add({ userId: a.user.id, tokenId: '00000000-0000-4000-8000-00000000000b' }, { requests: 1 });
    recorder.add({ userId: a.user.id, tokenId: '00000000-0000-4000-8000-00000000000c' }, { requests: 1 });
    expect(recorder.stats()).toMatchObject({ bufferedRows: 3, droppedRows: 2 });
    await recorder.close();
    const stored = await rows(a.user.id);
    expect(stored.map((r) => [r.token_id, r.requests, r.limited])).toEqual(
      expect.arrayContaining([
        [a.tokenId, 0, 1],
        ['00000000-0000-4000-8000-00000000000a', 1, 0],
      ]),
    );
    expect(stored).toHaveLength(2);
    expect(await rows(gone.user.id)).toEqual([]);
  });

  it('keeps the counts when the database refuses and adds them at the next flush', async () => {
    const a = await createAccount(t.db.prisma);
    const recorder = createUsageRecorder(t.db.sql, { flushMs: 60_000 });
    const subject = { userId: a.user.id, tokenId: a.tokenId };
    recorder.add(subject, { requests: 2 });
    await t.db.sql.exec('ALTER TABLE usage_hours RENAME TO usage_hours_away');
    try {
      await recorder.flush();
    } finally {
      await t.db.sql.exec('ALTER TABLE usage_hours_away RENAME TO usage_hours');
    }
    expect(recorder.stats().bufferedRows).toBe(1);
    recorder.add(subject, { requests: 1 });
    await recorder.close();
    expect((await rows(a.user.id))[0].requests).toBe(3);
  });

  it('prunes hours older than the retention', async () => {
    const a = await createAccount(t.db.prisma);
    await t.db.sql.query(`INSERT INTO usage_hours (user_id, token_id, hour, requests) VALUES ($1, $2, now() - interval '3 days', 1), ($1, $2, date_trunc('hour', now()), 1)`, [a.user.id, a.tokenId]);
    const recorder = createUsageRecorder(t.db.sql, { flushMs: 60_000, retentionDays: 2 });
    recorder.add({ userId: a.user.id, tokenId: a.tokenId }, { requests: 1 });
    await recorder.close();
    const stored = await rows(a.user.id);
    expect(stored).toHaveLength(1);
    expect(stored[0].requests).toBe(2);
  });
});
