// The public stream's delay queue: empty when nobody watches /public, and bounded by
// publicMaxPerSecond × (delay + 1) however fast events arrive.
import { afterEach, describe, expect, it } from 'vitest';
import { startStubDispatcher } from '../../helpers/stub-dispatcher';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function setUp(options: { publicMaxPerSecond: number; publicDelayMs: number }) {
  const stub = await startStubDispatcher(options);
  stops.push(stub.stop);
  return stub;
}

const settle = (ms = 30) => new Promise((r) => setTimeout(r, ms));

describe('public delay queue', () => {
  it('holds nothing while nobody is connected to /public', async () => {
    const { dispatcher, feed } = await setUp({ publicMaxPerSecond: 200, publicDelayMs: 60_000 });
    for (let i = 0; i < 10; i += 1) feed(1000);
    await settle();
    expect(dispatcher.lastDispatched).toBe(`${1_700_000_000_000 + 10_000}-0`);
    expect(dispatcher.publicQueued).toBe(0);
  });

  it('stays within publicMaxPerSecond × (delay + 1) at any ingest rate, and still shows events after the delay', async () => {
    const { dispatcher, viewers, shown, feed } = await setUp({ publicMaxPerSecond: 100, publicDelayMs: 1000 });
    viewers.set('viewer', {});
    expect(dispatcher.publicQueueBound).toBe(200);
    const started = Date.now();
    let peak = 0;
    // ~40,000 events over ~2 s: 200 times the public rate.
    while (Date.now() - started < 2000) {
      feed(1000);
      await settle(50);
      peak = Math.max(peak, dispatcher.publicQueued);
    }
    console.log(`public queue: peak ${peak} events held (bound ${dispatcher.publicQueueBound}) for ~${Math.round((Date.now() - started) / 50) * 1000} arriving`);
    expect(peak).toBeGreaterThan(0);
    expect(peak).toBeLessThanOrEqual(dispatcher.publicQueueBound);
    await settle(1500);
    expect(shown.length).toBeGreaterThan(0);
    // Nothing shown before the delay.
    expect(shown[0].at - started).toBeGreaterThanOrEqual(950);
    // Never more than the per-second cap in one second.
    const perSecond = new Map<number, number>();
    for (const s of shown) perSecond.set(Math.floor(s.at / 1000), (perSecond.get(Math.floor(s.at / 1000)) ?? 0) + s.count);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(100);
  });

  it('drops what it held when the last viewer leaves', async () => {
    const { dispatcher, viewers, feed } = await setUp({ publicMaxPerSecond: 100, publicDelayMs: 60_000 });
    viewers.set('viewer', {});
    feed(50);
    await settle();
    expect(dispatcher.publicQueued).toBe(50);
    viewers.clear();
    feed(10);
    await settle();
    expect(dispatcher.publicQueued).toBe(0);
  });
});
