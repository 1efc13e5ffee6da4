// The replay seam alone, with an injected log and dispatcher seam: a resuming socket gets every
// event after its cursor exactly once, and joins live only when nothing lies between it and the seam.
import { describe, expect, it } from 'vitest';
import type { FirehoseLog, LogEntry } from '@/lib/engines/log/types';
import type { FirehoseEvent } from '@/lib/events';
import { createLogger } from '@/lib/logger';
import { replayThenJoin, ReplayGapError, type ReplayTarget } from '@/server/gateway/replay';
import { eventBody } from '../../helpers/gateway-harness';

const logger = createLogger('silent');

/** A log in memory; `onRead` runs after the page was taken and before the read resolves. */
function fakeLog() {
  const entries: LogEntry[] = [];
  let ms = 1_700_000_000_000;
  const state = {
    entries,
    seam: '0-0',
    reads: 0,
    onRead: null as null | ((call: number) => void),
    append(count: number): string[] {
      const cursors: string[] = [];
      for (let i = 0; i < count; i += 1) {
        const cursor = `${(ms += 1)}-0`;
        entries.push({ cursor, data: JSON.stringify(eventBody(entries.length)) });
        cursors.push(cursor);
      }
      return cursors;
    },
    /** The dispatcher flushes: new events reach the log and are sent live; the seam moves. */
    flush(count: number) {
      const cursors = state.append(count);
      state.seam = cursors[cursors.length - 1];
      return cursors;
    },
    log: {
      async read(after: string | null, limit: number) {
        state.reads += 1;
        const start = after === null ? 0 : entries.findIndex((e) => e.cursor === after) + 1;
        const page = entries.slice(start, start + limit);
        await Promise.resolve();
        state.onRead?.(state.reads);
        return page;
      },
    } satisfies Pick<FirehoseLog, 'read'>,
  };
  return state;
}

interface FakeTarget {
  sent: FirehoseEvent[];
  cursor: string | null;
  joinedAtSeam: string | null;
  joins: number;
  open: boolean;
  target: ReplayTarget;
}

function fakeTarget(seam: () => string): FakeTarget {
  const sent: FirehoseEvent[] = [];
  const t: FakeTarget = {
    sent,
    cursor: null as string | null,
    joinedAtSeam: null as string | null,
    joins: 0,
    open: true,
    target: {
      isOpen: () => t.open,
      matches: () => true,
      bufferedBytes: () => 0,
      send: (frame: FirehoseEvent[]) => sent.push(...frame),
      advance: (cursor: string) => {
        t.cursor = cursor;
      },
      joinLive: () => {
        t.joins += 1;
        t.joinedAtSeam = seam();
      },
    },
  };
  return t;
}

const deps = (f: ReturnType<typeof fakeLog>) => ({ log: f.log, seam: () => f.seam, logger, pauseAboveBytes: 1 << 20, pageSize: 3 });

describe('replay seam', () => {
  it('a flush between the page read and the seam read is replayed, not skipped', async () => {
    const f = fakeLog();
    const old = f.flush(5);
    const since = old[1];
    // The first read's page is taken, then the dispatcher flushes 4 more before the seam is read.
    let extra: string[] = [];
    f.onRead = (call) => {
      if (call === 1) extra = f.flush(4);
    };
    const t = fakeTarget(() => f.seam);
    await replayThenJoin(t.target, since, deps(f));
    expect(t.sent.map((e) => e.cursor)).toEqual([...old.slice(2), ...extra]);
    expect(t.joins).toBe(1);
    // Joined exactly at the seam: the room's next frame starts after the last replayed event.
    expect(t.joinedAtSeam).toBe(extra[extra.length - 1]);
    expect(t.cursor).toBe(t.joinedAtSeam);
  });

  it('an empty page while the dispatcher already flushed past the cursor: re-reads, never joins with a gap', async () => {
    const f = fakeLog();
    const since = f.flush(2)[1];
    // Nothing after `since` when the page is taken; the flush lands before the seam is read.
    let flushed: string[] = [];
    f.onRead = (call) => {
      if (call === 1) flushed = f.flush(3);
    };
    const t = fakeTarget(() => f.seam);
    await replayThenJoin(t.target, since, deps(f));
    expect(t.sent.map((e) => e.cursor)).toEqual(flushed);
    expect(t.joins).toBe(1);
    expect(t.joinedAtSeam).toBe(flushed[2]);
    expect(f.reads).toBeGreaterThanOrEqual(2);
  });

  it('an empty page at the seam joins at once', async () => {
    const f = fakeLog();
    const since = f.flush(3)[2];
    const t = fakeTarget(() => f.seam);
    await replayThenJoin(t.target, since, deps(f));
    expect(t.sent).toEqual([]);
    expect(t.joins).toBe(1);
    expect(f.reads).toBe(1);
  });

  it('many pages with flushes between every read: every event once, in order', async () => {
    const f = fakeLog();
    const all = f.flush(10);
    const since = all[0];
    f.onRead = (call) => {
      if (call <= 6) all.push(...f.flush(2));
    };
    const t = fakeTarget(() => f.seam);
    await replayThenJoin(t.target, since, deps(f));
    expect(t.sent.map((e) => e.cursor)).toEqual(all.slice(1));
    expect(t.joinedAtSeam).toBe(all[all.length - 1]);
  });

  it('refuses to join when the log lost the range before the seam', async () => {
    const f = fakeLog();
    const since = f.flush(2)[1];
    // The dispatcher sent events the log no longer has (e.g. a store that lost its tail).
    f.flush(3);
    f.entries.splice(2, 3);
    const t = fakeTarget(() => f.seam);
    await expect(replayThenJoin(t.target, since, deps(f))).rejects.toBeInstanceOf(ReplayGapError);
    expect(t.joins).toBe(0);
  });

  it('stops when the socket goes away', async () => {
    const f = fakeLog();
    const all = f.flush(10);
    const t = fakeTarget(() => f.seam);
    f.onRead = () => {
      t.open = false;
    };
    await replayThenJoin(t.target, all[0], deps(f));
    expect(t.joins).toBe(0);
  });
});
