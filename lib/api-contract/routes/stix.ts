// Contracts of the STIX 2.1 routes (app/api/v1/stix/**, docs/taxii.md). The bundle's objects are
// described by the OASIS STIX 2.1 schemas; here only the bundle's envelope.
import { z } from 'zod';
import 'zod-openapi';
import { INDICATOR_TYPES } from '../../indicators/types';
import { findIndicatorsSchema } from '../../search/schemas';
import { STIX_MEDIA_TYPE } from '../../taxii/media';
import { defineRoute } from '../define';

const bundleSchema = z
  .looseObject({
    type: z.literal('bundle'),
    id: z.string().meta({ example: 'bundle--5b0c0e5e-0000-4000-8000-000000000000' }),
    objects: z.array(z.looseObject({ type: z.string(), id: z.string() })).meta({ description: 'STIX 2.1 objects: identity, marking-definition, indicator, sighting' }),
  })
  .meta({ id: 'StixBundle', description: 'A STIX 2.1 bundle (https://docs.oasis-open.org/cti/stix/v2.1/).' });

export const findStixIndicatorsContract = defineRoute({
  method: 'GET',
  path: '/api/v1/stix/indicators',
  operationId: 'findStixIndicators',
  summary: 'Public indicators as a STIX 2.1 bundle',
  description: 'The search filters; the next page’s cursor is in `X-Next-Cursor` and a `Link: <…>; rel="next"` header.',
  tags: ['stix'],
  scope: 'read',
  query: findIndicatorsSchema,
  responses: {
    200: {
      description: 'a page of indicators and their sightings',
      contentType: STIX_MEDIA_TYPE,
      schema: bundleSchema,
      headers: {
        'X-Next-Cursor': { description: 'the cursor of the next page (absent on the last)', schema: z.string(), required: false },
        Link: { description: '`<next page URL>; rel="next"` (absent on the last page)', schema: z.string(), required: false },
      },
    },
  },
  errors: ['invalid_query', 'invalid_cursor', 'feed_not_found'],
});

export const getStixIndicatorContract = defineRoute({
  method: 'GET',
  path: '/api/v1/stix/indicators/{type}/{value}',
  operationId: 'getStixIndicator',
  summary: 'One public indicator and its sightings as a STIX 2.1 bundle',
  description: '404 for a value that is not public (unknown, private, held and retracted alike). Encode the value with encodeURIComponent.',
  tags: ['stix'],
  scope: 'read',
  params: z.object({ type: z.enum(INDICATOR_TYPES), value: z.string().meta({ example: 'evil.example.net' }) }),
  responses: { 200: { description: 'the indicator', contentType: STIX_MEDIA_TYPE, schema: bundleSchema } },
  errors: ['invalid_query', 'invalid_type', 'invalid_indicator', 'indicator_not_found'],
});
