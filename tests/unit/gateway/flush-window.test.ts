// The dispatcher's batching window: at most one flush per flushMs, on the leading edge — an event
// after a quiet spell goes out at once, events within flushMs of the last flush wait for the
// window's end and go together, and a full batch goes at once whatever the window.
import { afterEach, describe, expect, it } from 'vitest';
import type { FirehoseEvent } from '@/lib/events';
import { startStubDispatcher } from '../../helpers/stub-dispatcher';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setUp(options: { flushMs: number; maxBatch?: number }) {
  const stub = await startStubDispatcher(options);
  stops.push(stub.stop);
  const batches: number[] = [];
  stub.dispatcher.onBatch((batch: FirehoseEvent[]) => batches.push(batch.length));
  return { ...stub, batches };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('dispatcher flush window', () => {
  it('sends an event after a quiet spell at once, and batches what follows within the window', async () => {
    const { feed, batches } = await setUp({ flushMs: 300 });
    feed(1);
    expect(batches).toEqual([1]); // in the same tick: no window to wait out
    feed(1);
    feed(2);
    expect(batches).toEqual([1]); // within 300 ms of the last flush: held for the window's end
    await pause(450);
    expect(batches).toEqual([1, 3]);
    await pause(350); // quiet for longer than the window
    feed(1);
    expect(batches).toEqual([1, 3, 1]);
  });

  it('flushes a full batch at once, inside the window too', async () => {
    const { feed, batches } = await setUp({ flushMs: 60_000, maxBatch: 10 });
    feed(1);
    feed(25);
    expect(batches).toEqual([1, 10, 10]); // 5 left wait for the window
  });
});
