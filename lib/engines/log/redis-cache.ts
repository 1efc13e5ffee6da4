// The Redis fast copy of the log's tail: a Redis Stream whose entry ids are the log's cursors
// (XADD with explicit ids), capped by MAXLEN, one stream per log epoch ("<prefix>firehose:<epoch>")
// so a stream left by another database or an older version can never shadow this log. Redis may lose it at any moment (it runs without
// persistence): the durable log in PostgreSQL fills any gap and refills it (durable-log.ts).
import type { Redis } from 'ioredis';
import type { LogCache, LogEntry } from './types';

type StreamReply = [id: string, fields: string[]][];

function toEntries(reply: StreamReply | null | undefined): LogEntry[] {
  return (reply ?? []).map(([cursor, fields]) => ({ cursor, data: fields[1] ?? '' }));
}

export class RedisCache implements LogCache {
  readonly kind = 'redis' as const;
  /** Blocking reads hold their connection: idle dedicated connections, and all of them. */
  private readonly idle: Redis[] = [];
  private readonly blocking = new Set<Redis>();

  constructor(
    private readonly redis: Redis,
    private readonly baseKey: string,
    private readonly maxLength: number,
  ) {}

  private keyOf(cursor: string): string {
    return `${this.baseKey}:${cursor.slice(0, cursor.indexOf('-'))}`;
  }

  async put(entries: LogEntry[]): Promise<void> {
    if (!entries.length) return;
    // MULTI, not a plain pipeline: a reader blocked in XREAD is answered once, after the last
    // entry, with all of them (a pipeline woke it after the first XADD, and each gateway then
    // flushed a frame for the first event and another for the rest). An XADD that fails does not
    // undo the others (Redis has no rollback); its error comes back in its place, as before.
    const transaction = this.redis.multi();
    for (const entry of entries) transaction.xadd(this.keyOf(entry.cursor), 'MAXLEN', '~', String(this.maxLength), entry.cursor, 'e', entry.data);
    const results = (await transaction.exec()) ?? [];
    for (const [error] of results) {
      // An id not above the stream's last one: already there (a refill raced a relay). Harmless.
      if (error && !/equal or smaller/i.test(error.message)) throw error;
    }
  }

  async range(after: string, limit: number): Promise<LogEntry[]> {
    return toEntries((await this.redis.xrange(this.keyOf(after), `(${after}`, '+', 'COUNT', limit)) as StreamReply);
  }

  async waitAfter(after: string, limit: number, blockMs: number): Promise<LogEntry[]> {
    let connection = this.idle.pop();
    if (!connection) {
      connection = this.redis.duplicate({ maxRetriesPerRequest: 1 });
      // Connection errors surface as rejected reads, which the durable log reports (once).
      connection.on('error', () => undefined);
      this.blocking.add(connection);
    }
    try {
      const reply = (await connection.xread('COUNT', limit, 'BLOCK', blockMs, 'STREAMS', this.keyOf(after), after)) as [string, StreamReply][] | null;
      return toEntries(reply?.[0]?.[1]);
    } finally {
      if (this.blocking.has(connection)) this.idle.push(connection);
    }
  }

  async head(epoch: bigint): Promise<string | null> {
    const [last] = (await this.redis.xrevrange(`${this.baseKey}:${epoch}`, '+', '-', 'COUNT', 1)) as StreamReply;
    return last ? last[0] : null;
  }

  async trimThrough(through: string): Promise<void> {
    const [epoch, position] = through.split('-').map(BigInt);
    await this.redis.xtrim(this.keyOf(through), 'MINID', '~', `${epoch}-${position + 1n}`);
  }

  async close(): Promise<void> {
    for (const connection of this.blocking) connection.disconnect();
    this.blocking.clear();
    this.idle.length = 0;
  }
}
