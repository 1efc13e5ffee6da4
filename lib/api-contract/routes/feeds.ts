// Contracts of the feed routes (app/api/v1/feeds/**): create, list, read, change, delete, submit.
import { z } from 'zod';
import { createFeedSchema, updateFeedSchema } from '../../feeds/schemas';
import { INGEST_LIMITS, jsonSubmissionSchema, submittedItemSchema, textSubmissionOptionsSchema } from '../../ingest/schemas';
import { feedRetractionSchema } from '../../trust/retract-contributions';
import { defineRoute } from '../define';
import { feedRetractionResultSchema, feedSchema, submissionResultSchema } from '../schemas';

const slugParams = z.object({ slug: z.string().meta({ description: 'the feed slug (1–64 of a-z 0-9 -)', example: 'honeypot' }) });
const feedAnswer = z.object({ feed: feedSchema });

export const createFeedContract = defineRoute({
  method: 'POST',
  path: '/api/v1/feeds',
  operationId: 'createFeed',
  summary: 'Create one of your feeds',
  tags: ['feeds'],
  scope: 'submit',
  body: { required: true, content: { 'application/json': createFeedSchema } },
  responses: { 201: { description: 'the new feed', schema: feedAnswer } },
  errors: ['invalid_json', 'invalid_utf8', 'unsupported_media_type', 'body_too_large', 'feed_exists'],
});

export const listFeedsContract = defineRoute({
  method: 'GET',
  path: '/api/v1/feeds',
  operationId: 'listFeeds',
  summary: 'List your feeds',
  tags: ['feeds'],
  scope: 'read',
  responses: { 200: { description: 'your feeds', schema: z.object({ feeds: z.array(feedSchema) }) } },
  errors: [],
});

export const getFeedContract = defineRoute({
  method: 'GET',
  path: '/api/v1/feeds/{slug}',
  operationId: 'getFeed',
  summary: 'One of your feeds',
  description: 'Anyone else’s feed, public or not, is 404 `feed_not_found` too.',
  tags: ['feeds'],
  scope: 'read',
  params: slugParams,
  responses: { 200: { description: 'the feed', schema: feedAnswer } },
  errors: ['feed_not_found'],
});

export const updateFeedContract = defineRoute({
  method: 'PATCH',
  path: '/api/v1/feeds/{slug}',
  operationId: 'updateFeed',
  summary: 'Change the name, description or TLP of one of your feeds',
  description: 'A TLP change affects later sightings only.',
  tags: ['feeds'],
  scope: 'submit',
  params: slugParams,
  body: { required: true, content: { 'application/json': updateFeedSchema } },
  responses: { 200: { description: 'the changed feed', schema: feedAnswer } },
  errors: ['invalid_json', 'invalid_utf8', 'unsupported_media_type', 'body_too_large', 'feed_not_found', 'system_feed'],
});

export const deleteFeedContract = defineRoute({
  method: 'DELETE',
  path: '/api/v1/feeds/{slug}',
  operationId: 'deleteFeed',
  summary: 'Delete one of your feeds and its sightings',
  description: 'Indicators it alone reported publicly stop being public; events already published stay in the log.',
  tags: ['feeds'],
  scope: 'submit',
  params: slugParams,
  responses: { 204: { description: 'deleted' } },
  errors: ['feed_not_found', 'system_feed'],
});

/** The JSON batch as documented: the items are validated one by one with submittedItemSchema. */
const jsonSubmissionDoc = jsonSubmissionSchema.extend({
  indicators: z
    .array(z.union([z.string().meta({ description: 'a bare value' }), submittedItemSchema]))
    .min(1)
    .max(INGEST_LIMITS.maxItems)
    .meta({ description: 'up to 1,000 indicators; a bad item is rejected alone (its result says why)' }),
});

export const submitIndicatorsContract = defineRoute({
  method: 'POST',
  path: '/api/v1/feeds/{slug}/indicators',
  operationId: 'submitIndicators',
  summary: 'Submit up to 1,000 indicators into one of your feeds',
  description:
    'JSON batch, or text/plain with one indicator per line (blank lines and `#` comments ignored; the query applies to every line). ' +
    'The answer gives each item’s outcome, in order. With `Idempotency-Key`, a retry of the same request gets the stored answer ' +
    '(`Idempotent-Replayed: true`) without a second ingest.',
  tags: ['indicators'],
  scope: 'submit',
  params: slugParams,
  query: textSubmissionOptionsSchema,
  headers: z.object({
    'Idempotency-Key': z.string().min(1).max(255).optional().meta({ description: '1–255 printable ASCII characters, e.g. a UUID per batch; kept 24 hours' }),
  }),
  body: {
    required: true,
    description: `At most ${INGEST_LIMITS.maxBodyBytes / (1024 * 1024)} MB.`,
    content: { 'application/json': jsonSubmissionDoc, 'text/plain': z.string().meta({ description: 'one indicator per line' }) },
  },
  responses: {
    200: {
      description: 'one result per item',
      schema: submissionResultSchema,
      headers: { 'Idempotent-Replayed': { description: '`true` on a stored answer replayed for a repeated Idempotency-Key', schema: z.literal('true'), required: false } },
    },
  },
  errors: [
    'invalid_json',
    'invalid_utf8',
    'invalid_query',
    'invalid_idempotency_key',
    'unsupported_media_type',
    'body_too_large',
    'too_many_items',
    'feed_not_found',
    'idempotency_key_in_progress',
    'idempotency_key_reused',
    'submission_limit',
  ],
});

export const retractFromFeedContract = defineRoute({
  method: 'POST',
  path: '/api/v1/feeds/{slug}/retractions',
  operationId: 'retractFromFeed',
  summary: 'Withdraw a value from one of your feeds',
  description:
    'Your feed’s public and held sightings of the value stop being public. When no other feed keeps it public (`stillPublic: false`), ' +
    'it leaves /threats, the exports and the counts, and subscribers get a `retracted` event (`eventId`). A repeat answers `already_retracted` (docs/trust.md).',
  tags: ['feeds'],
  scope: 'submit',
  params: slugParams,
  body: { required: true, content: { 'application/json': feedRetractionSchema } },
  responses: { 200: { description: 'what was withdrawn', schema: z.object({ retraction: feedRetractionResultSchema }) } },
  errors: ['invalid_json', 'invalid_utf8', 'unsupported_media_type', 'body_too_large', 'feed_not_found', 'indicator_not_found', 'invalid_indicator'],
});
