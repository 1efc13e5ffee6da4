// Every part of a node that listens to control messages (the gateway's guard, the node's token
// cache) shares one reader (lib/control.ts): one Redis connection per node, and each message reaches
// the listeners in the order they subscribed, in one tick, so no handshake can slip between a
// revocation reaching the guard and reaching the token cache.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlReaderName, publishControl, subscribeControl, type ControlMessage } from '@/lib/control';
import { createTestEngines, deleteRedisPrefix, usingRedis } from '../../helpers/test-env';

let engines: ReturnType<typeof createTestEngines>;
beforeAll(() => {
  engines = createTestEngines();
});
afterAll(async () => {
  await deleteRedisPrefix(engines);
  await engines.close();
});

/** Connections to Redis named as this node's control reader. */
async function readerConnections(): Promise<number> {
  const list = (await engines.redis!.call('CLIENT', 'LIST')) as string;
  return list.split('\n').filter((line) => line.includes(` name=${controlReaderName(engines)} `)).length;
}

describe('control subscribers on one node', () => {
  it('share one reader, hear each message in subscription order in the same tick, and the reader closes with the last', async () => {
    const heard: string[] = [];
    const message = (userId: string): ControlMessage => ({ type: 'user_suspended', userId });
    const first = await subscribeControl(engines, (m) => {
      heard.push(`first:${'userId' in m ? m.userId : ''}`);
      // Runs after every listener of this message if they are all called in this tick.
      queueMicrotask(() => heard.push('first:microtask'));
    });
    const second = await subscribeControl(engines, (m) => heard.push(`second:${'userId' in m ? m.userId : ''}`));
    if (usingRedis) expect(await readerConnections()).toBe(1);

    await publishControl(engines, message('a'));
    await expect.poll(() => heard).toEqual(['first:a', 'second:a', 'first:microtask']);

    // One leaves: the other still hears, on the same connection.
    await first();
    await publishControl(engines, message('b'));
    await expect.poll(() => heard.at(-1)).toBe('second:b');
    expect(heard.filter((h) => h.startsWith('first:'))).toHaveLength(2);
    if (usingRedis) expect(await readerConnections()).toBe(1);

    // The last leaves: the connection closes; a new subscriber opens a reader again and hears.
    await second();
    if (usingRedis) await expect.poll(readerConnections).toBe(0);
    const again: ControlMessage[] = [];
    const third = await subscribeControl(engines, (m) => again.push(m));
    await publishControl(engines, message('c'));
    await expect.poll(() => again).toEqual([message('c')]);
    expect(heard.at(-1)).toBe('second:b');
    await third();
  });
});
