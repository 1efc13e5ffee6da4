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

export async function replayThenJoin(target: ReplayTarget, since: string, deps: ReplayDeps): Promise<void> {
  const pageSize = deps.pageSize ?? 1000;
  let after = since;
  for (;;) {
    if (!target.isOpen()) return;
    // Let a slow reader drain instead of growing its buffer: replay goes at the client's pace.
    while (target.bufferedBytes() > deps.pauseAboveBytes) {
      await pause(25);
      if (!target.isOpen()) return;
    }
    const page = await deps.log.read(after, pageSize);
    const seam = deps.seam();
    const upToSeam = page.filter((entry) => compareCursors(entry.cursor, seam) <= 0);
    if (upToSeam.length) {
      const events = upToSeam.map(Dispatcher.toEvent).filter((e): e is FirehoseEvent => e !== null);
      const frame = events.filter((e) => target.matches(e));
      if (frame.length) target.send(frame);
      after = upToSeam[upToSeam.length - 1].cursor;
      // Filtered-out events still advance the resume point.
      target.advance(after);
    }
    // Still synchronous with reading `seam`: no flush can have happened in between.
    if (compareCursors(after, seam) >= 0 || !upToSeam.length) {
      if (compareCursors(after, seam) < 0) deps.logger.warn({ after, seam }, 'the log had nothing between the cursor and the seam (trimmed?)');
      target.joinLive();
      return;
    }
  }
}
