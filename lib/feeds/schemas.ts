// Request schemas for feeds: what a caller may send to create or change one of their feeds.
import { z } from 'zod';
import { displayText } from '../http/parse-input';

export const TLP_LEVELS = ['CLEAR', 'GREEN', 'AMBER', 'RED'] as const;
export type TlpLevel = (typeof TLP_LEVELS)[number];

/** TLP:CLEAR is public; GREEN, AMBER and RED never leave their owner (DESIGN.md §9). */
export function isPublicTlp(tlp: TlpLevel): boolean {
  return tlp === 'CLEAR';
}

export const FEED_SLUG_RE = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;

export const feedSlugSchema = z
  .string()
  .regex(FEED_SLUG_RE, 'slug must be 1–64 lowercase letters, digits or dashes, starting and ending with a letter or digit');

// Shown on the public /feeds page: the shared rules for text others read.
const nameSchema = displayText('name', { min: 1, max: 100 });
const descriptionSchema = displayText('description', { max: 2000, multiline: true });

export const createFeedSchema = z.strictObject({
  slug: feedSlugSchema,
  name: nameSchema.optional(),
  description: descriptionSchema.nullish(),
  /** @default CLEAR (public) */
  tlp: z.enum(TLP_LEVELS).default('CLEAR'),
});
export type CreateFeedInput = z.input<typeof createFeedSchema>;

export const updateFeedSchema = z
  .strictObject({
    name: nameSchema.optional(),
    description: descriptionSchema.nullish(),
    tlp: z.enum(TLP_LEVELS).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, 'nothing to update: send name, description or tlp');
export type UpdateFeedInput = z.input<typeof updateFeedSchema>;
