// Query schemas for the read side: GET /api/v1/indicators and GET /api/v1/check/{value}.
import { z } from 'zod';
import { INDICATOR_TYPES } from '../indicators';
import { safeText } from '../http/parse-input';

export const SEARCH_LIMITS = { defaultLimit: 100, maxLimit: 500 } as const;

export const findIndicatorsSchema = z.strictObject({
  type: z.enum(INDICATOR_TYPES, { message: `type must be one of ${INDICATOR_TYPES.join(', ')}` }).optional(),
  tag: safeText('tag').trim().toLowerCase().min(1).max(64).optional(),
  /** Your feed's slug, or "<owner id>/<slug>" for another user's public feed. */
  feed: safeText('feed').min(1).max(140).optional(),
  since: z.iso
    .datetime({ offset: true, message: 'since must be an ISO 8601 date-time, e.g. 2026-11-22T00:00:00Z' })
    .transform((s) => new Date(s))
    .optional(),
  cursor: safeText('cursor').max(200).optional(),
  limit: z.coerce
    .number({ message: 'limit must be a number' })
    .int()
    .min(1, 'limit is 1–500')
    .max(SEARCH_LIMITS.maxLimit, 'limit is 1–500')
    .default(SEARCH_LIMITS.defaultLimit),
});
export type FindIndicatorsQuery = z.input<typeof findIndicatorsSchema>;

export const checkIndicatorSchema = z.strictObject({
  value: safeText('value').min(1, 'give the indicator to check').max(4096),
  type: z.enum(INDICATOR_TYPES, { message: `type must be one of ${INDICATOR_TYPES.join(', ')}` }).optional(),
});
