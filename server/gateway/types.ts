// Types shared by the gateway's parts: what each firehose socket carries, and the gateway's options.
import type { Namespace, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/realtime/protocol';
import type { PeerAccess } from '../../lib/federation/peer-access';
import type { VerifiedToken } from '../../lib/tokens';
import type { StreamUsage } from '../../lib/usage';
import type { DeliveredCursor } from './delivery';
import type { CompiledFilter } from './filters';

export interface SocketData {
  auth: VerifiedToken;
  /** The filter in force (a replaying socket applies it when it goes live). */
  filter: CompiledFilter;
  /**
   * The filter room this socket holds in the dispatcher, null while replaying. Kept here because
   * socket.io has already emptied `socket.rooms` when `disconnect` fires.
   */
  room: string | null;
  since: string | null;
  /** This stream holds one of its token's concurrent-stream slots (lib/realtime/stream-slots). */
  holdsSlot: boolean;
  /** ControlWatch mark taken before the token was verified (see control.ts). */
  controlMark: number;
  /** Newest cursor written to this socket. */
  lastCursor: string | null;
  /** Newest cursor handed to the connection (frames in engine.io's buffer not counted). */
  delivered: DeliveredCursor;
  ending: boolean;
  /** Usage of this stream (lib/usage): its connection time and the events written to it. */
  usage?: StreamUsage;
  /** A federation link streaming with a peer token: its outbound rules (docs/federation.md). */
  peer?: PeerAccess;
}

export type FirehoseSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type FirehoseNamespace = Namespace<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface GatewayOptions {
  flushMs?: number;
  maxBatch?: number;
  /** @default 4 MiB */
  maxBufferedBytes?: number;
  /** @default 200 */
  publicMaxPerSecond?: number;
  /** Public sockets allowed per IP. @default 20 */
  publicConnectionsPerIp?: number;
}
