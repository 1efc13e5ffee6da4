// The caller's feeds: create, list, read, update, delete. Ownership is always part of the lookup,
// so another user's feed — public or private — is simply "not found" here.
import { AppError } from '../errors';
import { parseInput } from '../http/parse-input';
import type { PrismaClient } from '../generated/prisma/client';
import { Prisma } from '../generated/prisma/client';
import { deleteSightingsAndRecount } from './recompute-indicator-counters';
import { createFeedSchema, isPublicTlp, updateFeedSchema, type TlpLevel } from './schemas';

export interface FeedView {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  tlp: TlpLevel;
  public: boolean;
  /** The owner's user id: the `feed.owner` of firehose events. */
  owner: string;
  system: boolean;
  createdAt: string;
  updatedAt: string;
}

const feedSelect = {
  id: true,
  slug: true,
  name: true,
  description: true,
  tlp: true,
  ownerId: true,
  isSystem: true,
  createdAt: true,
  updatedAt: true,
} as const;

type FeedRow = {
  id: string;
  slug: string;
  name: string;
  description: string | null;
  tlp: TlpLevel;
  ownerId: string;
  isSystem: boolean;
  createdAt: Date;
  updatedAt: Date;
};

export function toFeedView(row: FeedRow): FeedView {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    description: row.description,
    tlp: row.tlp,
    public: isPublicTlp(row.tlp),
    owner: row.ownerId,
    system: row.isSystem,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const notFound = (slug: string) => new AppError('feed_not_found', `you have no feed "${slug}"`, 404);

export async function createFeed(prisma: PrismaClient, ownerId: string, input: unknown): Promise<FeedView> {
  const data = parseInput(createFeedSchema, input);
  try {
    const row = await prisma.feed.create({
      data: { ownerId, slug: data.slug, name: data.name ?? data.slug, description: data.description ?? null, tlp: data.tlp },
      select: feedSelect,
    });
    return toFeedView(row);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('feed_exists', `you already have a feed "${data.slug}"`, 409);
    }
    throw error;
  }
}

export async function findFeeds(prisma: PrismaClient, ownerId: string): Promise<FeedView[]> {
  const rows = await prisma.feed.findMany({ where: { ownerId }, orderBy: { createdAt: 'asc' }, select: feedSelect });
  return rows.map(toFeedView);
}

export async function getFeed(prisma: PrismaClient, ownerId: string, slug: string): Promise<FeedView | null> {
  const row = await prisma.feed.findUnique({ where: { ownerId_slug: { ownerId, slug } }, select: feedSelect });
  return row ? toFeedView(row) : null;
}

export async function getFeedOrThrow(prisma: PrismaClient, ownerId: string, slug: string): Promise<FeedView> {
  const feed = await getFeed(prisma, ownerId, slug);
  if (!feed) throw notFound(slug);
  return feed;
}

/**
 * Changes name, description or TLP. A TLP change applies to future sightings only: each sighting
 * keeps the visibility its feed had when it was reported, so nothing private becomes public later.
 */
export async function updateFeed(prisma: PrismaClient, ownerId: string, slug: string, input: unknown): Promise<FeedView> {
  const data = parseInput(updateFeedSchema, input);
  const feed = await getFeedOrThrow(prisma, ownerId, slug);
  if (feed.system) throw new AppError('system_feed', 'system feeds are managed by Sluice and cannot be changed', 403);
  const row = await prisma.feed.update({
    where: { id: feed.id },
    data: {
      ...(data.name !== undefined ? { name: data.name } : {}),
      ...(data.description !== undefined ? { description: data.description } : {}),
      ...(data.tlp !== undefined ? { tlp: data.tlp } : {}),
    },
    select: feedSelect,
  });
  return toFeedView(row);
}

/**
 * Deletes the feed and its sightings, and recomputes the counters of the indicators it reported in
 * the same transaction: one only this feed reported publicly is no longer public (/threats, /i/…,
 * /check for others), and counts drop. Events already published stay in the log.
 */
export async function deleteFeed(prisma: PrismaClient, ownerId: string, slug: string): Promise<void> {
  const feed = await getFeedOrThrow(prisma, ownerId, slug);
  if (feed.system) throw new AppError('system_feed', 'system feeds are managed by Sluice and cannot be deleted', 403);
  await prisma.$transaction(
    (tx) => deleteSightingsAndRecount(tx, { feedId: feed.id }, () => tx.feed.delete({ where: { id: feed.id } })),
    { maxWait: 10_000, timeout: 120_000 },
  );
}
