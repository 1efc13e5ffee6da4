'use server';
// Feed management on the dashboard: the same lib/feeds functions as the REST API (which validate
// the input again, so the form shows the API's own messages).
import { z } from 'zod';
import { authedAction } from '@/app/_lib/action';
import { createFeed, deleteFeed, previewFeedDeletion, TLP_LEVELS, updateFeed } from '@/lib/feeds';

const text = z.string().max(4000);

export const createFeedAction = authedAction(
  z.object({ slug: z.string().max(200), name: text.optional(), description: text.optional(), tlp: z.enum(TLP_LEVELS) }),
  async (input, { user, runtime }) => {
    const feed = await createFeed(runtime.db.prisma, user.id, { ...input, name: input.name?.trim() || undefined, description: input.description?.trim() || null });
    runtime.logger.info({ userId: user.id, feed: feed.slug, tlp: feed.tlp }, 'feed created');
    return { slug: feed.slug };
  },
);

export const updateFeedAction = authedAction(
  z.object({ slug: z.string().max(200), name: text, description: text, tlp: z.enum(TLP_LEVELS) }),
  async ({ slug, name, description, tlp }, { user, runtime }) => {
    const feed = await updateFeed(runtime.db.prisma, user.id, slug, { name, description: description.trim() || null, tlp });
    runtime.logger.info({ userId: user.id, feed: feed.slug, tlp: feed.tlp }, 'feed updated');
    return { slug: feed.slug };
  },
);

export const previewFeedDeletionAction = authedAction(z.object({ slug: z.string().max(200) }), async ({ slug }, { user, runtime }) =>
  previewFeedDeletion(runtime.db.sql, user.id, slug),
);

export const deleteFeedAction = authedAction(z.object({ slug: z.string().max(200) }), async ({ slug }, { user, runtime }) => {
  await deleteFeed(runtime.db.prisma, user.id, slug);
  runtime.logger.info({ userId: user.id, feed: slug }, 'feed deleted');
  return { slug };
});
