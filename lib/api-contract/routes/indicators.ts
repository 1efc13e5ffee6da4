// Contracts of the read side and disputes: search, check, dispute a public value.
import { z } from 'zod';
import { INDICATOR_TYPES } from '../../indicators/types';
import { checkIndicatorSchema, findIndicatorsSchema } from '../../search/schemas';
import { disputeBodySchema } from '../../trust/disputes';
import { defineRoute } from '../define';
import { checkAnswerSchema, disputeSchema, indicatorPageSchema } from '../schemas';

export const findIndicatorsContract = defineRoute({
  method: 'GET',
  path: '/api/v1/indicators',
  operationId: 'findIndicators',
  summary: 'Search what you can see',
  description:
    'Public sightings plus those in your own feeds, never another user’s private ones; a page at a time in a stable order. ' +
    'The figures of each indicator count only the visible sightings that match the filters.',
  tags: ['indicators'],
  scope: 'read',
  query: findIndicatorsSchema,
  responses: { 200: { description: 'a page of indicators', schema: indicatorPageSchema } },
  errors: ['invalid_query', 'invalid_cursor', 'feed_not_found'],
});

export const checkIndicatorContract = defineRoute({
  method: 'GET',
  path: '/api/v1/check/{value}',
  operationId: 'checkIndicator',
  summary: 'Look one indicator up',
  description:
    'Known or not, first and last seen, sightings, tags and feeds over the sightings you can see, and the analysis. ' +
    'The value may be defanged; encode it with encodeURIComponent (URLs contain `/`).',
  tags: ['indicators'],
  scope: 'read',
  params: z.object({ value: checkIndicatorSchema.shape.value.meta({ description: 'an IP, CIDR, domain, URL, email or hash', example: '45.83.64.1' }) }),
  query: checkIndicatorSchema.pick({ type: true }),
  responses: { 200: { description: 'what you can see of the value', schema: checkAnswerSchema } },
  errors: ['invalid_query', 'invalid_indicator'],
});

export const createDisputeContract = defineRoute({
  method: 'POST',
  path: '/api/v1/indicators/{type}/{value}/disputes',
  operationId: 'createDispute',
  summary: 'Report a public value as a false positive',
  description: '201 with the new dispute; 200 with your existing one (docs/trust.md).',
  tags: ['indicators'],
  scope: 'read',
  params: z.object({ type: z.enum(INDICATOR_TYPES), value: z.string().meta({ example: 'evil.example.net' }) }),
  body: { required: true, content: { 'application/json': disputeBodySchema } },
  responses: {
    200: { description: 'your existing dispute of this value', schema: z.object({ dispute: disputeSchema }) },
    201: { description: 'the new dispute', schema: z.object({ dispute: disputeSchema }) },
  },
  errors: ['invalid_json', 'invalid_utf8', 'unsupported_media_type', 'body_too_large', 'invalid_type', 'invalid_indicator', 'indicator_not_found'],
});
