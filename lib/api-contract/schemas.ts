// Response schemas of the REST API and the stream: what lib returns, as zod, registered as OpenAPI
// components. Each is tied to lib's own type by assertSameType, so a field added in lib without
// being described here (or the other way round) fails typecheck.
import { z } from 'zod';
import 'zod-openapi';
import type { IndicatorAnalysisView } from '../analyzers/get-analysis';
import { EVENT_KINDS, type FirehoseEvent } from '../events';
import type { FeedView } from '../feeds';
import { TLP_LEVELS } from '../feeds/schemas';
import { INDICATOR_TYPES } from '../indicators/types';
import type { ItemOutcome } from '../ingest/ingest-indicators';
import type { IndicatorSummary } from '../search/find-indicators';
import type { DisputeView } from '../trust/disputes';
import type { FeedRetraction } from '../trust/retract-contributions';
import { assertSameType } from './define';

const dateTime = z.string().meta({ format: 'date-time', example: '2026-11-22T10:00:00.000Z' });
const userId = z.string().meta({ description: "a user id (uuid): the feed owner's", format: 'uuid' });

export const indicatorTypeSchema = z.enum(INDICATOR_TYPES).meta({ id: 'IndicatorType', description: 'The kind of indicator.' });

export const indicatorRefSchema = z
  .object({ type: indicatorTypeSchema, value: z.string().meta({ description: 'The normalised value', example: 'evil.example.net' }) })
  .meta({ id: 'IndicatorRef' });

export const feedSchema = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    slug: z.string().meta({ example: 'honeypot' }),
    name: z.string(),
    description: z.string().nullable(),
    tlp: z.enum(TLP_LEVELS).meta({ description: 'CLEAR is public; GREEN, AMBER and RED never leave their owner.' }),
    public: z.boolean(),
    owner: userId,
    system: z.boolean().meta({ description: 'managed by Sluice (analyzers); cannot be changed' }),
    createdAt: dateTime,
    updatedAt: dateTime,
  })
  .meta({ id: 'Feed', description: 'One of your feeds.' });
assertSameType<z.output<typeof feedSchema>, FeedView>(true);

export const feedRefSchema = z.object({ slug: z.string(), owner: userId }).meta({ id: 'FeedRef' });

export const indicatorSummarySchema = z
  .object({
    type: indicatorTypeSchema,
    value: z.string(),
    firstSeen: dateTime,
    lastSeen: dateTime,
    sightings: z.number().int().meta({ description: 'matching sightings you can see' }),
    confidence: z.number().int().min(0).max(100).meta({ description: 'highest confidence among them' }),
    tags: z.array(z.string()),
    feeds: z.array(feedRefSchema),
  })
  .meta({ id: 'IndicatorSummary' });
assertSameType<z.output<typeof indicatorSummarySchema>, IndicatorSummary>(true);

export const indicatorPageSchema = z
  .object({
    indicators: z.array(indicatorSummarySchema),
    next: z.string().nullable().meta({ description: 'pass as `cursor` for the next page; null on the last page' }),
  })
  .meta({ id: 'IndicatorPage' });

const findingSchema = z
  .object({
    analyzer: z.string(),
    kind: z.string().meta({ description: 'short machine name, e.g. "correlated", "hot-network", "host", "expired"' }),
    summary: z.string(),
    related: z.array(z.object({ type: indicatorTypeSchema, value: z.string(), relation: z.string() })).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    at: dateTime,
  })
  .meta({ id: 'Finding' });

export const analysisSchema = z
  .object({ status: z.enum(['pending', 'done', 'failed']), findings: z.array(findingSchema), updatedAt: dateTime.nullable() })
  .meta({ id: 'Analysis', description: 'What the analyzers found (docs/workers.md).' });
assertSameType<z.output<typeof analysisSchema>, IndicatorAnalysisView>(true);

/** Enrichment of ipv4/ipv6 values (docs/enrichment.md): each field present only when the offline database knows it. */
const enrichmentFields = {
  asn: z.number().int().min(1).optional().meta({ description: 'autonomous system number announcing the address (IP values only)', example: 13335 }),
  asOrganization: z.string().optional().meta({ description: "the autonomous system's organisation (IP values only)", example: 'Cloudflare, Inc.' }),
  country: z.string().optional().meta({ description: 'ISO 3166-1 alpha-2 country of the address (IP values only)', example: 'AU' }),
};

export const checkedIndicatorSchema = indicatorRefSchema
  .extend(enrichmentFields)
  .meta({ id: 'CheckedIndicator', description: 'The normalised value and, for an IP, its AS and country (docs/enrichment.md).' });

const trustFacts = {
  warnings: z.array(z.string()).optional().meta({ description: 'warning lists the value is on (absent when none)' }),
  retracted: z.object({ at: dateTime, reason: z.string() }).optional().meta({ description: 'when and why an operator withdrew the value' }),
};

export const checkAnswerSchema = z
  .discriminatedUnion('known', [
    z.object({ known: z.literal(false), indicator: checkedIndicatorSchema, ...trustFacts, analysis: analysisSchema }),
    z.object({
      known: z.literal(true),
      indicator: checkedIndicatorSchema,
      ...indicatorSummarySchema.omit({ type: true, value: true }).shape,
      ...trustFacts,
      analysis: analysisSchema,
    }),
  ])
  .meta({ id: 'CheckAnswer' });

const acceptedItem = z.object({
  index: z.number().int(),
  status: z.literal('accepted'),
  type: indicatorTypeSchema,
  value: z.string(),
  port: z.number().int().optional(),
  kind: z.enum(EVENT_KINDS).optional().meta({ description: 'the firehose event kind (public feeds only)' }),
  eventId: z.string().optional().meta({ description: 'the firehose event id (public feeds only)' }),
  held: z.literal(true).optional().meta({ description: 'public, but held from the firehose until corroborated' }),
  warnings: z.array(z.string()).optional(),
});
const rejectedItem = z.object({
  index: z.number().int(),
  status: z.literal('rejected'),
  input: z.string().nullable(),
  code: z.string().meta({ description: "the parser's code, invalid_item or never_publish" }),
  reason: z.string(),
});
export const itemOutcomeSchema = z.discriminatedUnion('status', [acceptedItem, rejectedItem]);
assertSameType<z.output<typeof itemOutcomeSchema>, ItemOutcome>(true);

const line = { line: z.number().int().optional().meta({ description: 'text submissions: the 1-based line of the item' }) };

export const submissionResultSchema = z
  .object({
    feed: z.string(),
    public: z.boolean(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    results: z.array(z.discriminatedUnion('status', [acceptedItem.extend(line), rejectedItem.extend(line)]).meta({ id: 'ItemOutcome' })),
  })
  .meta({ id: 'SubmissionResult' });

export const disputeSchema = z
  .object({ id: z.string(), indicator: indicatorRefSchema, reason: z.string(), status: z.enum(['open', 'upheld', 'rejected']), createdAt: dateTime })
  .meta({ id: 'Dispute' });
assertSameType<z.output<typeof disputeSchema>, DisputeView>(true);

export const feedRetractionResultSchema = z
  .object({
    type: indicatorTypeSchema,
    value: z.string(),
    feed: z.string(),
    status: z.enum(['retracted', 'already_retracted']),
    sightings: z.number().int().meta({ description: 'sightings withdrawn' }),
    stillPublic: z.boolean().meta({ description: 'whether the value stays public through other feeds or reporters' }),
    eventId: z.string().nullable().meta({ description: 'the `retracted` firehose event, when the value is no longer public anywhere' }),
    reason: z.string(),
    at: dateTime,
  })
  .meta({ id: 'FeedRetraction' });
assertSameType<z.output<typeof feedRetractionResultSchema>, FeedRetraction>(true);

export const firehoseEventSchema = z
  .object({
    id: z.string().meta({ description: 'stable id (uuid) for de-duplication', format: 'uuid' }),
    cursor: z.string().meta({ description: "the event's position in the log: resume after it with `since`", example: '1795311570422-4711' }),
    kind: z.enum(EVENT_KINDS),
    indicator: z.object({
      type: indicatorTypeSchema,
      value: z.string(),
      tags: z.array(z.string()),
      confidence: z.number().int().min(0).max(100),
      firstSeen: dateTime,
      lastSeen: dateTime,
      count: z.number().int(),
      reporters: z.number().int().optional().meta({ description: 'distinct reporters of the public sightings' }),
      warnings: z.array(z.string()).optional(),
      corroborated: z.boolean().optional(),
      ...enrichmentFields,
    }),
    feed: z.object({ slug: z.string(), owner: userId }),
    reportedAt: dateTime,
    expiresAt: dateTime.optional(),
    retraction: z.object({ reason: z.string(), at: dateTime }).optional(),
    origin: z
      .object({ instance: z.string(), eventId: z.string(), hops: z.number().int().min(0) })
      .optional()
      .meta({ description: 'where the event was first published (docs/federation.md): instance id, its event id there, peer links crossed (0: here)' }),
  })
  .meta({ id: 'FirehoseEvent', description: 'One firehose event (README, "Events").' });
assertSameType<z.output<typeof firehoseEventSchema>, FirehoseEvent>(true);

/** `{ error: { code, message, ... } }` with the codes given. */
export function errorBodySchema(codes: readonly [string, ...string[]]) {
  return z.object({
    error: z.looseObject({
      code: z.enum(codes),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
      requestId: z.string().optional(),
    }),
  });
}
