// What the tokenless /public stream (the threats page's live view) may carry of a firehose event:
// anonymous browsers get the feed's slug, never its owner's internal user id (token holders on
// /firehose keep `feed.owner` as documented). For the gateway's public fan-out to apply once per
// batch before encoding.
import type { FirehoseEvent } from '../events';

export type PublicStreamEvent = Omit<FirehoseEvent, 'feed'> & { feed: { slug: string } };

export function toPublicStreamEvent(event: FirehoseEvent): PublicStreamEvent {
  return { ...event, feed: { slug: event.feed.slug } };
}
