'use server';
// The dashboard's "Retract from a feed" (docs/trust.md): the same lib/trust function as
// POST /api/v1/feeds/{slug}/retractions, for the signed-in owner of the feed.
import { z } from 'zod';
import { authedAction } from '@/app/_lib/action';
import { retractFromFeed } from '@/lib/trust/retract-contributions';

const schema = z.object({ feed: z.string().min(1).max(100), value: z.string(), reason: z.string() });

export const retractFromFeedAction = authedAction(schema, async ({ feed, value, reason }, { user, runtime }) => {
  const r = await retractFromFeed(runtime.db.sql, user.id, feed, { value: value.trim(), reason });
  return { type: r.type, value: r.value, status: r.status, sightings: r.sightings, stillPublic: r.stillPublic, retractedEvent: r.eventId !== null };
});
