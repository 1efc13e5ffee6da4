// Firehose log on a Redis Stream: XADD assigns the order and the cursor; retention by XTRIM
// (MAXLEN on append, MINID by age); resume gaps detected through XINFO's max-deleted-entry-id.
import type { Redis } from 'ioredis';
import type { FirehoseLog, LogBounds, LogEntry, LogRetention, LogTail } from './types';

type StreamReply = [id: string, fields: string[]][];

function toEntries(reply: StreamReply): LogEntry[] {
  return reply.map(([cursor, fields]) => ({ cursor, data: fields[1] ?? '' }));
}

/** The greatest cursor strictly before `cursor`. */
function previousCursor(cursor: string): string {
  const [ms, seq] = cursor.split('-').map(BigInt);
  return seq > 0n ? `${ms}-${seq - 1n}` : `${ms - 1n}-18446744073709551615`;
}

export class RedisLog implements FirehoseLog {
  readonly kind = 'redis' as const;
  private readonly tails = new Set<Redis>();

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly retention: LogRetention,
  ) {}

  async append(events: string[]): Promise<string[]> {
    if (!events.length) return [];
    const pipeline = this.redis.pipeline();
    for (const data of events) pipeline.xadd(this.key, 'MAXLEN', '~', String(this.retention.maxLength), '*', 'e', data);
    const results = await pipeline.exec();
    return (results ?? []).map(([error, id]) => {
      if (error) throw error;
      return String(id);
    });
  }

  async read(after: string | null, limit: number): Promise<LogEntry[]> {
    const reply = (await this.redis.xrange(this.key, after ? `(${after}` : '-', '+', 'COUNT', limit)) as StreamReply;
    return toEntries(reply);
  }

  async bounds(): Promise<LogBounds> {
    let info: unknown[];
    try {
      info = (await this.redis.xinfo('STREAM', this.key)) as unknown[];
    } catch (error) {
      if (error instanceof Error && /no such key/i.test(error.message)) return { oldest: null, head: null, trimmedThrough: null };
      throw error;
    }
    const field = (name: string) => info[info.indexOf(name) + 1];
    const first = field('first-entry') as [string, string[]] | null;
    const lastGenerated = String(field('last-generated-id'));
    const trimmed = Number(field('entries-added')) > Number(field('length'));
    const oldest = first ? first[0] : null;
    return {
      oldest,
      head: lastGenerated === '0-0' ? null : lastGenerated,
      // XTRIM does not record what it removed (max-deleted-entry-id tracks XDEL only), but trimming
      // always removes from the oldest end: everything before the oldest retained entry may be gone.
      trimmedThrough: trimmed ? (oldest ? previousCursor(oldest) : lastGenerated) : null,
    };
  }

  async tail(after: string | null, onEntries: (entries: LogEntry[]) => void | Promise<void>): Promise<LogTail> {
    // A blocking XREAD holds its connection: every tail gets its own.
    const connection = this.redis.duplicate();
    this.tails.add(connection);
    let position = after ?? (await this.bounds()).head ?? '0-0';
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        try {
          const reply = (await connection.xread('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', this.key, position)) as
            | [string, StreamReply][]
            | null;
          if (!reply || stopped) continue;
          const entries = toEntries(reply[0][1]);
          if (!entries.length) continue;
          position = entries[entries.length - 1].cursor;
          await onEntries(entries);
        } catch (error) {
          if (stopped) break;
          // Redis unavailable: ioredis reconnects; wait a moment rather than spin.
          void error;
          await new Promise((resolve) => setTimeout(resolve, 500));
        }
      }
    })();
    return {
      stop: async () => {
        stopped = true;
        connection.disconnect();
        this.tails.delete(connection);
        await loop;
      },
    };
  }

  async trim(now: number = Date.now()): Promise<void> {
    await this.redis.xtrim(this.key, 'MINID', '~', `${Math.floor(now - this.retention.maxAgeMs)}-0`);
  }

  async close(): Promise<void> {
    for (const connection of this.tails) connection.disconnect();
    this.tails.clear();
  }
}
