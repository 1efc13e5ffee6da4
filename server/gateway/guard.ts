// Keeps every open stream entitled, on three paths (the rules are in control.ts):
// - control messages: a revocation or plan change announced to every node ends its streams;
// - the handshake window: a socket whose token or user had a message while it was being admitted
//   is re-checked as soon as it connects (ControlWatch);
// - the backstop: every STREAM_RECHECK_SECONDS all open streams on this node are re-checked
//   against the database in one query, for announcements that were lost.
// It also keeps this node's concurrent-stream slots alive while their streams are open.
import { subscribeControl } from '../../lib/control';
import type { Engines } from '../../lib/engines';
import type { PrismaClient } from '../../lib/generated/prisma/client';
import type { Logger } from '../../lib/logger';
import { findStreamVerdicts } from '../../lib/realtime/stream-grants';
import type { StreamVerdict } from '../../lib/realtime/stream-grants';
import { STREAM_SLOT_TTL_MS, type StreamSlots } from '../../lib/realtime/stream-slots';
import type { ControlMessage } from '../../lib/control';
import { endingFor, endingForVerdict, type ControlWatch } from './control';
import type { EndStream } from './end-stream';
import type { FirehoseNamespace, FirehoseSocket } from './types';

/** Streams of another transport (the HTTP stream) the guard keeps entitled too. */
export interface OtherStreams {
  open(): { tokenId: string; end(verdict: StreamVerdict): void; slot: { tokenId: string; member: string } | null }[];
  onControl(message: ControlMessage): void;
}

export interface StreamGuardDeps {
  firehose: FirehoseNamespace;
  /** Marks handshakes (see ControlWatch); shared with the other transports' handshakes. */
  watch: ControlWatch;
  /** The handshakes' verified-token cache: every control message reaches it first. */
  tokens?: { invalidate(message: ControlMessage): void };
  others?: OtherStreams;
  prisma: PrismaClient;
  engines: Engines;
  slots: StreamSlots;
  endStream: EndStream;
  logger: Logger;
  recheckSeconds: number;
}

export interface StreamGuard {
  /** Call on `connection`: re-checks the socket if a change was announced during its handshake. */
  admitted(socket: FirehoseSocket): void;
  /**
   * Re-reads these streams' tokens and plans (one query) and ends those no longer allowed; with
   * `withOthers`, the other transports' open streams too.
   */
  recheck(sockets: Iterable<FirehoseSocket>, withOthers?: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startStreamGuard(deps: StreamGuardDeps): Promise<StreamGuard> {
  const { firehose, endStream, logger, watch } = deps;

  const recheck = async (sockets: Iterable<FirehoseSocket>, withOthers = false) => {
    const open = [...sockets].filter((s) => s.connected && !s.data.ending && s.data.auth);
    const others = withOthers ? (deps.others?.open() ?? []) : [];
    if (!open.length && !others.length) return;
    const verdicts = await findStreamVerdicts(deps.prisma, [...open.map((s) => s.data.auth.tokenId), ...others.map((o) => o.tokenId)]);
    for (const socket of open) {
      const ending = endingForVerdict(verdicts.get(socket.data.auth.tokenId) ?? null);
      if (ending) endStream(socket, ending.reason, ending.message);
    }
    for (const stream of others) stream.end(verdicts.get(stream.tokenId) ?? null);
  };

  const unsubscribe = await subscribeControl(
    deps.engines,
    (message) => {
      // First, so that no handshake from now on is admitted on a cached verification it voids.
      deps.tokens?.invalidate(message);
      watch.note(message);
      for (const socket of firehose.sockets.values()) {
        const ending = endingFor(message, socket.data);
        if (ending) endStream(socket, ending.reason, ending.message);
      }
      deps.others?.onControl(message);
    },
    logger,
  );

  let rechecking = false;
  const recheckTimer = setInterval(() => {
    if (rechecking) return;
    rechecking = true;
    recheck(firehose.sockets.values(), true)
      .catch((error: unknown) => logger.warn({ err: error }, 'could not re-check open streams'))
      .finally(() => {
        rechecking = false;
      });
  }, deps.recheckSeconds * 1000);
  recheckTimer.unref();

  // This node's slots stay taken while their streams are open; a dead node's lapse.
  const slotTimer = setInterval(() => {
    const held = [...firehose.sockets.values()].filter((s) => s.data.holdsSlot).map((s) => ({ tokenId: s.data.auth.tokenId, member: s.id }));
    for (const stream of deps.others?.open() ?? []) if (stream.slot) held.push(stream.slot);
    if (held.length) deps.slots.refresh(held).catch((error: unknown) => logger.warn({ err: error }, 'could not refresh stream slots'));
  }, STREAM_SLOT_TTL_MS / 3);
  slotTimer.unref();

  return {
    admitted(socket) {
      // Its token was verified before the announced change may have been saved: check again.
      if (watch.changedSince(socket.data.controlMark, socket.data.auth)) {
        recheck([socket]).catch((error: unknown) => logger.warn({ err: error }, 'could not re-check a new stream'));
      }
    },
    recheck,
    async stop() {
      clearInterval(recheckTimer);
      clearInterval(slotTimer);
      await unsubscribe();
    },
  };
}
