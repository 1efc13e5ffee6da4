// Filter rooms: a live socket is in exactly one room, its filter's. The dispatcher keeps one
// compiled filter per room with a count of the sockets in it on this node.
import type { Dispatcher } from './dispatcher';
import type { CompiledFilter } from './filters';
import type { FirehoseSocket } from './types';

export class FilterRooms {
  constructor(private readonly dispatcher: Pick<Dispatcher, 'retain' | 'release'>) {}

  join(socket: FirehoseSocket, filter: CompiledFilter): void {
    socket.data.filter = filter;
    this.dispatcher.retain(filter);
    void socket.join(filter.key);
  }

  leave(socket: FirehoseSocket): void {
    const key = socket.data.filter.key;
    if (socket.rooms.has(key)) {
      void socket.leave(key);
      this.dispatcher.release(key);
    }
  }

  isLive(socket: FirehoseSocket): boolean {
    return socket.rooms.has(socket.data.filter.key);
  }

  /** New filters: a live socket moves rooms; a replaying one applies them when it goes live. */
  change(socket: FirehoseSocket, filter: CompiledFilter): void {
    if (this.isLive(socket)) {
      this.leave(socket);
      this.join(socket, filter);
    } else {
      socket.data.filter = filter;
    }
  }
}
