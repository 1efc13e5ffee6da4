// Revoke-then-announce and plan changes in one place each (lib/tokens, lib/billing/set-plan): the
// announcement commits with the change (control_outbox) and is published at once when a bus can
// take it. Without Redis, a process nobody listens in (the CLI on the database) leaves it for the
// node whose gateway listens: that node's control relay publishes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setPlan } from '@/lib/billing/set-plan';
import { startControlRelay, subscribeControl, type ControlMessage } from '@/lib/control';
import { createLogger } from '@/lib/logger';
import { createApiToken, revokeApiToken } from '@/lib/tokens';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, usingRedis, type TestDatabase } from '../../helpers/test-env';
import { createUser } from '../ingest/helpers';

let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
beforeAll(async () => {
  t = await createTestDatabase();
  engines = createTestEngines();
});
afterAll(async () => {
  await deleteRedisPrefix(engines);
  await engines.close();
  await t.drop();
});

describe('control announcements', () => {
  it('are recorded with the change and published once someone can hear them', async () => {
    const user = await createUser(t.db, 'firehose');
    const token = await createApiToken(t.db.prisma, { userId: user.id, name: 'x', scopes: ['stream'] });
    const deps = { prisma: t.db.prisma, engines };

    await revokeApiToken(deps, { id: token.id, userId: user.id });
    await setPlan(deps, { userId: user.id, plan: 'free' });
    const expected: ControlMessage[] = [
      { type: 'token_revoked', tokenId: token.id, userId: user.id },
      { type: 'plan_changed', userId: user.id, plan: 'free' },
    ];
    const heard: ControlMessage[] = [];
    if (usingRedis) {
      // Redis keeps them on the control stream; the outbox is empty at once.
      expect(await t.db.prisma.controlOutbox.count()).toBe(0);
      return;
    }
    // No listener in this process: both wait in the outbox, in order.
    expect((await t.db.prisma.controlOutbox.findMany({ orderBy: { id: 'asc' } })).map((r) => r.message)).toEqual(expected);
    const unsubscribe = await subscribeControl(engines, (m) => heard.push(m));
    const relay = startControlRelay({ ...deps, logger: createLogger('silent') }, { pollMs: 50 });
    try {
      await expect.poll(() => heard).toEqual(expected);
      expect(await t.db.prisma.controlOutbox.count()).toBe(0);
      // A later change with a listener present goes out at once (the fast path).
      await setPlan(deps, { userId: user.id, plan: 'firehose' });
      expect(heard.at(-1)).toEqual({ type: 'plan_changed', userId: user.id, plan: 'firehose' });
    } finally {
      await relay.stop();
      await unsubscribe();
    }
  });
});
