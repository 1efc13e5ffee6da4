// Request schemas of the webhook API (docs/webhooks.md): what a caller may send.
import { z } from 'zod';
import { safeText } from '../http/parse-input';
import { streamFiltersSchema } from '../realtime/protocol';
import { MAX_WEBHOOK_URL_LENGTH } from './ssrf';

export const createWebhookSchema = z.strictObject({
  /** https://… (plain http only to loopback with WEBHOOK_ALLOW_LOOPBACK=true). */
  url: safeText('url').trim().min(1, 'url is required').max(MAX_WEBHOOK_URL_LENGTH),
  /** The stream's filters (lib/realtime/protocol.ts); absent = every event. */
  filters: streamFiltersSchema.optional(),
});
export type CreateWebhookInput = z.input<typeof createWebhookSchema>;

export const updateWebhookSchema = z.strictObject({
  /** true pauses deliveries; false resumes them from the stored cursor. */
  paused: z.boolean(),
});

export const replayWebhookSchema = z.strictObject({
  /** Deliver again every event after this cursor (as `since` on the stream). */
  since: safeText('since').max(64),
});

export const webhookIdSchema = z.uuid();
