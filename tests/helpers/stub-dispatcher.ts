// A gateway Dispatcher over a stub log and stub namespaces (no socket.io server, no sockets): `feed`
// hands it log entries as the log's tail would, synchronously; `shown` records what the public
// namespace emitted. For unit tests of the dispatcher's own timing and bounds.
import type { Namespace } from 'socket.io';
import type { FirehoseLog, LogEntry } from '@/lib/engines/log/types';
import { createLogger } from '@/lib/logger';
import { Dispatcher, type DispatcherOptions } from '@/server/gateway/dispatcher';
import { eventBody } from './gateway-harness';

export async function startStubDispatcher(options: Partial<DispatcherOptions>) {
  let push: (entries: LogEntry[]) => void = () => undefined;
  const log = {
    async bounds() {
      return { oldest: null, head: null, trimmedThrough: null };
    },
    async tail(_after: string | null, onEntries: (entries: LogEntry[]) => void | Promise<void>) {
      push = (entries) => void onEntries(entries);
      return { stop: async () => undefined };
    },
  } as unknown as FirehoseLog;
  const firehose = { adapter: { rooms: new Map() }, sockets: new Map(), local: { to: () => ({ emit: () => true }) } } as unknown as Namespace;
  const viewers = new Map<string, unknown>();
  const shown: { at: number; count: number }[] = [];
  const publicNsp = { sockets: viewers, local: { emit: (_event: string, frame: unknown[]) => shown.push({ at: Date.now(), count: frame.length }) } } as unknown as Namespace;
  const dispatcher = new Dispatcher(
    log,
    firehose,
    publicNsp,
    { flushMs: 5, maxBatch: 1000, maxBatchBytes: 1 << 30, maxBufferedBytes: 1 << 20, publicMaxPerSecond: 100, publicDelayMs: 0, ...options },
    createLogger('silent'),
    () => undefined,
  );
  await dispatcher.start();
  let n = 0;
  const feed = (count: number) =>
    push(
      Array.from({ length: count }, () => {
        n += 1;
        return { cursor: `${1_700_000_000_000 + n}-0`, data: JSON.stringify(eventBody(n)) };
      }),
    );
  return { dispatcher, viewers, shown, feed, stop: () => dispatcher.stop() };
}
