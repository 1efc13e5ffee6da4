// The replay seam: a socket that connects with `since` first gets the log after its cursor, then
// joins its live room exactly where the dispatcher's frames begin. Everything up to the
// dispatcher's `lastDispatched` comes from the log, everything after it from the room.
import { compareCursors, type FirehoseLog } from '../../lib/engines/log/types';
import type { FirehoseEvent } from '../../lib/events';
import type { Logger } from '../../lib/logger';
import { Dispatcher } from './dispatcher';

/** The socket as the replay sees it (a fake in unit tests). */
export interface ReplayTarget {
  /** False once the socket is gone or its stream is ending: the replay stops. */
  isOpen(): boolean;
  /** The filter in force now (a `subscribe` during the replay changes it). */
  matches(event: FirehoseEvent): boolean;
  /** Bytes waiting to be written to the client. */
  bufferedBytes(): number;
  send(frame: FirehoseEvent[]): void;
  /** Everything up to `cursor` was handled (sent or filtered out): the resume point. */
  advance(cursor: string): void;
  /** Joins the live room. Called synchronously with reading the seam. */
  joinLive(): void;
}

export interface ReplayDeps {
  log: Pick<FirehoseLog, 'read'>;
  /** The dispatcher's seam: cursor of the newest event already handed to the rooms. */
  seam(): string;
  logger: Logger;
  /** Replay pauses while the target holds more than this. */
  pauseAboveBytes: number;
  /** @default 1000 */
  pageSize?: number;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Longest wait for this node's dispatcher to reach a client's cursor. */
const AHEAD_WAIT_MS = 30_000;

/** Re-reads of an empty page before the replay gives up on a range the dispatcher already sent. */
const MISSING_RANGE_RETRIES = 10;

/** The log lacks events the dispatcher already sent live: joining now would skip them. */
export class ReplayGapError extends Error {
  constructor(readonly after: string, readonly seam: string) {
    super(`the log has no events between ${after} and the live seam ${seam}`);
    this.name = 'ReplayGapError';
  }
}

/**
 * Sends the log after `since`, then joins live. Never joins with a gap: the join happens only once
 * everything up to the seam was handled, in the same synchronous step as reading the seam (no
 * flush can fall between). Rejects with ReplayGapError when the log cannot serve that range.
 */
export async function replayThenJoin(target: ReplayTarget, since: string, deps: ReplayDeps): Promise<void> {
  const pageSize = deps.pageSize ?? 1000;
  let after = since;
  let misses = 0;
  let aheadSince: number | null = null;
  for (;;) {
    if (!target.isOpen()) return;
    // Let a slow reader drain instead of growing its buffer: replay goes at the client's pace.
    while (target.bufferedBytes() > deps.pauseAboveBytes) {
      await pause(25);
      if (!target.isOpen()) return;
    }
    // A client ahead of this node's dispatcher (its cursor came from a faster node, or from events
    // this node has not flushed yet): joining now would deliver events it already has. Wait.
    if (compareCursors(after, deps.seam()) > 0) {
      // Bounded: a dispatcher that does not get there (its log unreadable) ends the stream, and
      // the client resumes, likely on another node.
      aheadSince ??= Date.now();
      if (Date.now() - aheadSince > AHEAD_WAIT_MS) throw new ReplayGapError(after, deps.seam());
      await pause(10);
      continue;
    }
    const page = await deps.log.read(after, pageSize);
    const seam = deps.seam();
    const upToSeam = page.filter((entry) => compareCursors(entry.cursor, seam) <= 0);
    if (upToSeam.length) {
      misses = 0;
      const events = upToSeam.map(Dispatcher.toEvent).filter((e): e is FirehoseEvent => e !== null);
      const frame = events.filter((e) => target.matches(e));
      if (frame.length) target.send(frame);
      after = upToSeam[upToSeam.length - 1].cursor;
      // Filtered-out events still advance the resume point.
      target.advance(after);
    }
    if (compareCursors(after, seam) >= 0) {
      target.joinLive();
      return;
    }
    if (upToSeam.length) continue;
    // Nothing in the page up to the seam, yet the dispatcher has sent events after `after`. An
    // empty page usually means they were appended (and flushed) while the page was being read:
    // read again, the log has them now. A page that starts past the seam means the log lost them.
    if (page.length || misses >= MISSING_RANGE_RETRIES) {
      deps.logger.warn({ after, seam }, 'the log has nothing between the cursor and the live seam');
      throw new ReplayGapError(after, seam);
    }
    misses += 1;
    if (misses > 1) await pause(Math.min(200, 10 * 2 ** misses));
  }
}
