// What one submitted indicator may carry, and the limits of a submission (one request's worth).
import { z } from 'zod';
import { INDICATOR_TYPES } from '../indicators';
import { INGEST_LIMITS } from './limits';

export { INGEST_LIMITS } from './limits';

// Printable text: tab and newlines allowed, other C0/C1 controls and DEL not (NUL cannot be stored).
const FREE_TEXT_RE = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;
// Tags are short labels: letters and digits of any script, and a few separators.
const TAG_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._:/+#@&$()'-]*$/u;

export const tagSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'tags must not be empty')
  .max(INGEST_LIMITS.maxTagLength, `tags are at most ${INGEST_LIMITS.maxTagLength} characters`)
  .regex(TAG_RE, 'tags are letters, digits, spaces and . _ : / + # @ & $ ( ) \' -');

export const tagsSchema = z
  .array(tagSchema)
  .max(INGEST_LIMITS.maxTags, `at most ${INGEST_LIMITS.maxTags} tags`)
  .transform((tags) => [...new Set(tags)]);

export const confidenceSchema = z.coerce
  .number({ message: 'confidence must be a number' })
  .int('confidence must be a whole number')
  .min(0, 'confidence is 0–100')
  .max(100, 'confidence is 0–100');

export const submittedItemSchema = z.strictObject({
  value: z.string({ message: 'value must be a string' }),
  type: z.enum(INDICATOR_TYPES, { message: `type must be one of ${INDICATOR_TYPES.join(', ')}` }).optional(),
  tags: tagsSchema.default([]),
  description: z
    .string()
    .max(INGEST_LIMITS.maxDescriptionLength, `description is at most ${INGEST_LIMITS.maxDescriptionLength} characters`)
    .regex(FREE_TEXT_RE, 'description contains control characters')
    .nullish(),
  /** @default 50 */
  confidence: z
    .number({ message: 'confidence must be a number' })
    .int('confidence must be a whole number')
    .min(0, 'confidence is 0–100')
    .max(100, 'confidence is 0–100')
    .default(50),
  reportedAt: z.iso
    .datetime({ offset: true, message: 'reportedAt must be an ISO 8601 date-time, e.g. 2026-11-22T10:00:00Z' })
    .transform((s) => new Date(s))
    .refine((d) => d.getTime() <= Date.now() + INGEST_LIMITS.maxClockSkewMs, 'reportedAt is in the future')
    .refine((d) => d.getUTCFullYear() >= 1990, 'reportedAt is before 1990')
    .optional(),
  reference: z
    .string()
    .max(INGEST_LIMITS.maxReferenceLength, `reference is at most ${INGEST_LIMITS.maxReferenceLength} characters`)
    .regex(FREE_TEXT_RE, 'reference contains control characters')
    .nullish(),
});
export type SubmittedItem = z.input<typeof submittedItemSchema>;
export type ValidItem = z.output<typeof submittedItemSchema>;

/** The JSON batch body. Items are validated one by one so that one bad item rejects only itself. */
export const jsonSubmissionSchema = z.strictObject({
  indicators: z
    .array(z.unknown(), { message: 'indicators must be an array' })
    .min(1, 'indicators must not be empty'),
});

/** Options for text/plain submissions, from the query string: applied to every line. */
export const textSubmissionOptionsSchema = z.strictObject({
  type: z.enum(INDICATOR_TYPES).optional(),
  tags: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(',') : []))
    .pipe(tagsSchema),
  confidence: confidenceSchema.optional(),
  reference: z.string().max(INGEST_LIMITS.maxReferenceLength).regex(FREE_TEXT_RE, 'reference contains control characters').optional(),
});
