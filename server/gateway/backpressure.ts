// Bytes waiting to be written to one client: engine.io's write buffer, the websocket's own queue
// (ws: the TCP socket's user-space buffer and its sender's), and what the kernel holds in the
// connection's send queue (up to ~4 MB per socket with Linux autotuning). The kernel's share is
// read from /proc/net/tcp{,6} (tx_queue), sampled at most every 200 ms (less often when there are
// many connections) and only while some client has a user-space backlog — i.e. while its kernel
// buffer is full, which is when it matters.
import { readFile } from 'node:fs/promises';
import type { Socket as NetSocket } from 'node:net';
import { endianness } from 'node:os';
import ipaddr from 'ipaddr.js';
import type { Socket } from 'socket.io';

interface WsInternals {
  bufferedAmount?: number;
  readyState?: number;
  _socket?: NetSocket;
  send?(data: string): void;
  close?(code: number, reason: string): void;
  terminate?(): void;
}

export interface EngineInternals {
  writeBuffer?: { data?: unknown }[];
  transport?: { name?: string; socket?: WsInternals };
  on?(event: 'flush', listener: (packets: { data?: unknown }[]) => void): void;
}

/** The websocket under a socket.io socket, when it uses that transport. */
export function websocketOf(socket: Pick<Socket, 'conn'>): WsInternals | null {
  const transport = (socket.conn as unknown as EngineInternals).transport;
  return transport?.name === 'websocket' && transport.socket ? transport.socket : null;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** An address as /proc/net/tcp prints it: 32-bit words in host byte order, in hex. */
function procHex(address: string | undefined): string | null {
  if (!address || !ipaddr.isValid(address)) return null;
  const bytes = ipaddr.parse(address).toByteArray();
  let hex = '';
  for (let word = 0; word < bytes.length; word += 4) {
    const group = bytes.slice(word, word + 4);
    if (LITTLE_ENDIAN) group.reverse();
    hex += group.map((b) => b.toString(16).padStart(2, '0')).join('');
  }
  return hex.toUpperCase();
}

const connectionKey = (remoteHex: string, remotePort: number, localPort: number) => `${remoteHex}:${remotePort}:${localPort}`;

/** The kernel's send queues of this host's TCP connections (Linux; elsewhere always 0). */
export class KernelSendQueues {
  private table = new Map<string, number>();
  private sampledAt = 0;
  private loading: Promise<void> | null = null;
  private unavailable = false;
  /** Wait between samples: maxAgeMs, or 20× the last sample's cost (≤ 5 % of a core with many connections). */
  private nextAfterMs: number;

  constructor(private readonly maxAgeMs = 200) {
    this.nextAfterMs = maxAgeMs;
  }

  /** Bytes the kernel held for this connection at the last sample (0 when unknown). */
  queued(net: Pick<NetSocket, 'remoteAddress' | 'remotePort' | 'localPort'> | undefined): number {
    if (!net?.remotePort || !net.localPort) return 0;
    const hex = procHex(net.remoteAddress);
    return hex ? (this.table.get(connectionKey(hex, net.remotePort, net.localPort)) ?? 0) : 0;
  }

  /** Starts a new sample unless one is recent or under way. */
  refresh(): void {
    if (this.unavailable || this.loading || Date.now() - this.sampledAt < this.nextAfterMs) return;
    this.loading = this.sample().finally(() => {
      this.loading = null;
    });
  }


  async sample(): Promise<void> {
    const started = performance.now();
    const table = new Map<string, number>();
    let read = 0;
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(file, 'utf8').catch(() => null);
      if (text === null) continue;
      read += 1;
      for (const line of text.split('\n').slice(1)) {
        // sl local_address rem_address st tx_queue:rx_queue ...
        const fields = line.trim().split(/\s+/);
        if (fields.length < 5) continue;
        const tx = parseInt(fields[4].split(':')[0], 16);
        if (!tx) continue;
        const [, localPort] = fields[1].split(':');
        const [remoteHex, remotePort] = fields[2].split(':');
        table.set(connectionKey(remoteHex, parseInt(remotePort, 16), parseInt(localPort, 16)), tx);
      }
    }
    if (!read) this.unavailable = true;
    this.table = table;
    this.sampledAt = Date.now();
    this.nextAfterMs = Math.max(this.maxAgeMs, 20 * (performance.now() - started));
  }
}

export const kernelSendQueues = new KernelSendQueues();

/** User-space bytes above which the kernel's share is looked up too. */
const KERNEL_CHECK_ABOVE_BYTES = 64 * 1024;

/** Bytes waiting for this client in user space and, while that is non-zero, in the kernel too. */
export function bufferedBytes(socket: Pick<Socket, 'conn'>): number {
  const conn = socket.conn as unknown as EngineInternals;
  const ws = websocketOf(socket);
  let bytes = ws?.bufferedAmount ?? 0;
  for (const packet of conn.writeBuffer ?? []) {
    const data = packet.data;
    if (typeof data === 'string') bytes += data.length;
    else if (data instanceof Uint8Array) bytes += data.byteLength;
  }
  if (bytes > KERNEL_CHECK_ABOVE_BYTES && ws?._socket) {
    // A user-space backlog beyond a write or two means the kernel's buffer is full: count it.
    kernelSendQueues.refresh();
    bytes += kernelSendQueues.queued(ws._socket);
  }
  return bytes;
}
