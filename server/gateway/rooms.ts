// Filter rooms: a live socket is in exactly one room, its filter's. The dispatcher keeps one
// compiled filter per room with a count of the sockets in it on this node; every join is matched
// by exactly one release, including on disconnect (tracked on socket.data, not socket.rooms,
// which socket.io has already emptied when `disconnect` fires).
import type { Dispatcher } from './dispatcher';
import type { CompiledFilter } from './filters';
import type { FirehoseSocket } from './types';

export class FilterRooms {
  constructor(private readonly dispatcher: Pick<Dispatcher, 'retain' | 'release'>) {}

  join(socket: FirehoseSocket, filter: CompiledFilter): void {
    socket.data.filter = filter;
    if (!socket.connected) return;
    this.leave(socket);
    // The room's filter, the same object for all its sockets: one fewer per socket to keep.
    socket.data.filter = this.dispatcher.retain(filter);
    socket.data.room = filter.key;
    void socket.join(filter.key);
  }

  leave(socket: FirehoseSocket): void {
    const key = socket.data.room;
    if (key === null) return;
    socket.data.room = null;
    void socket.leave(key);
    this.dispatcher.release(key);
  }

  isLive(socket: FirehoseSocket): boolean {
    return socket.data.room !== null;
  }

  /** New filters: a live socket moves rooms; a replaying one applies them when it goes live. */
  change(socket: FirehoseSocket, filter: CompiledFilter): void {
    if (this.isLive(socket)) this.join(socket, filter);
    else socket.data.filter = filter;
  }
}
