// The session version cache: at most one query per user per TTL, and `forget` makes a sign-out
// visible at once on the node that handled it.
import { describe, expect, it } from 'vitest';
import { createSessionVersionCache } from '@/lib/accounts/session-version';
import type { PrismaClient } from '@/lib/generated/prisma/client';

function fakePrisma(versions: Map<string, number>) {
  let queries = 0;
  const prisma = {
    user: {
      findUnique: async ({ where }: { where: { id: string } }) => {
        queries++;
        const v = versions.get(where.id);
        return v === undefined ? null : { sessionVersion: v };
      },
    },
  } as unknown as PrismaClient;
  return { prisma, queries: () => queries };
}

describe('createSessionVersionCache', () => {
  it('reads each user once per TTL, re-reads after it, and forgets on demand', async () => {
    const versions = new Map([['u1', 3]]);
    const { prisma, queries } = fakePrisma(versions);
    const cache = createSessionVersionCache(200);
    expect(await cache.get(prisma, 'u1')).toBe(3);
    versions.set('u1', 4);
    expect(await cache.get(prisma, 'u1')).toBe(3);
    expect(queries()).toBe(1);
    cache.forget('u1');
    expect(await cache.get(prisma, 'u1')).toBe(4);
    versions.set('u1', 5);
    await new Promise((r) => setTimeout(r, 250));
    expect(await cache.get(prisma, 'u1')).toBe(5);
    expect(queries()).toBe(3);
  });

  it('answers null for a user that no longer exists', async () => {
    const { prisma } = fakePrisma(new Map());
    expect(await createSessionVersionCache().get(prisma, 'gone')).toBeNull();
  });
});
