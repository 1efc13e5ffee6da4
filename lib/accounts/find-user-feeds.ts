// The user's own feeds for the dashboard, with how many sightings each holds.
import type { PrismaClient } from '../generated/prisma/client';

export async function findUserFeeds(prisma: PrismaClient, userId: string) {
  const feeds = await prisma.feed.findMany({
    where: { ownerId: userId },
    orderBy: [{ isSystem: 'desc' }, { createdAt: 'asc' }],
    select: {
      id: true,
      slug: true,
      name: true,
      description: true,
      tlp: true,
      isSystem: true,
      createdAt: true,
      _count: { select: { sightings: true } },
    },
  });
  return feeds.map(({ _count, ...feed }) => ({ ...feed, sightings: _count.sightings, isPublic: feed.tlp === 'CLEAR' }));
}

export type UserFeed = Awaited<ReturnType<typeof findUserFeeds>>[number];
