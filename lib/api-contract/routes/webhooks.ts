// Contracts of the webhook routes (app/api/v1/webhooks/**, docs/webhooks.md): same entitlement as
// the stream (the stream scope, the Firehose plan).
import { z } from 'zod';
import 'zod-openapi';
import { streamFiltersSchema } from '../../realtime/protocol';
import type { WebhookView } from '../../webhooks';
import { createWebhookSchema, replayWebhookSchema, updateWebhookSchema } from '../../webhooks/schemas';
import { assertSameType, defineRoute } from '../define';

const when = z.string().nullable().meta({ format: 'date-time' });
const deadLetterSchema = z.object({
  id: z.string(),
  fromCursor: z.string().nullable(),
  firstCursor: z.string(),
  lastCursor: z.string(),
  events: z.number().int(),
  attempts: z.number().int(),
  lastError: z.string(),
  lastStatus: z.number().int().nullable(),
  at: z.string().meta({ format: 'date-time' }),
});
export const webhookSchema = z
  .object({
    id: z.string().meta({ format: 'uuid' }),
    url: z.string(),
    filters: streamFiltersSchema,
    state: z.enum(['active', 'paused']),
    pausedReason: z.string().nullable().meta({ description: '"user" or "failing"' }),
    secretHint: z.string().meta({ description: 'shown instead of the secret, which only the creation answer carries' }),
    cursor: z.string().nullable().meta({ description: 'the last log position examined: deliveries continue after it' }),
    entitlement: z.enum(['ok', 'token_revoked', 'token_expired', 'plan_ended']),
    health: z.object({
      deliveredEvents: z.number().int(),
      lastSuccessAt: when,
      lastAttemptAt: when,
      lastError: z.string().nullable(),
      lastErrorAt: when,
      lastStatus: z.number().int().nullable(),
      attempts: z.number().int(),
      nextAttemptAt: when,
      backlog: z.number().int(),
      deadLetters: z.number().int(),
    }),
    test: z.object({ requestedAt: when, doneAt: when, status: z.number().int().nullable(), error: z.string().nullable() }),
    createdAt: z.string().meta({ format: 'date-time' }),
    recentDeadLetters: z.array(deadLetterSchema).optional().meta({ description: 'GET /api/v1/webhooks/{id} only' }),
  })
  .meta({ id: 'Webhook' });
assertSameType<z.output<typeof webhookSchema>, WebhookView>(true);

const idParams = z.object({ id: z.string().meta({ format: 'uuid', description: 'the webhook id' }) });
const webhookAnswer = z.object({ webhook: webhookSchema });
const bodyErrors = ['invalid_json', 'invalid_utf8', 'unsupported_media_type', 'body_too_large'] as const;

export const createWebhookContract = defineRoute({
  method: 'POST',
  path: '/api/v1/webhooks',
  operationId: 'createWebhook',
  summary: 'Register a webhook endpoint',
  description: 'Signed POSTs of the firehose events matching the filters; the signing `secret` is in this answer only (docs/webhooks.md).',
  tags: ['webhooks'],
  scope: 'stream',
  body: { required: true, content: { 'application/json': createWebhookSchema } },
  responses: { 201: { description: 'the webhook and its secret', schema: z.object({ webhook: webhookSchema.extend({ secret: z.string() }) }) } },
  errors: [...bodyErrors, 'invalid_url', 'https_required', 'url_not_allowed', 'url_unresolvable', 'webhook_limit'],
});

export const listWebhooksContract = defineRoute({
  method: 'GET',
  path: '/api/v1/webhooks',
  operationId: 'listWebhooks',
  summary: 'Your webhooks, with delivery health',
  tags: ['webhooks'],
  scope: 'stream',
  responses: { 200: { description: 'your webhooks', schema: z.object({ webhooks: z.array(webhookSchema) }) } },
  errors: [],
});

export const getWebhookContract = defineRoute({
  method: 'GET',
  path: '/api/v1/webhooks/{id}',
  operationId: 'getWebhook',
  summary: 'One of your webhooks, with its recent dead letters',
  tags: ['webhooks'],
  scope: 'stream',
  params: idParams,
  responses: { 200: { description: 'the webhook', schema: webhookAnswer } },
  errors: ['not_found'],
});

export const updateWebhookContract = defineRoute({
  method: 'PATCH',
  path: '/api/v1/webhooks/{id}',
  operationId: 'updateWebhook',
  summary: 'Pause or resume a webhook',
  tags: ['webhooks'],
  scope: 'stream',
  params: idParams,
  body: { required: true, content: { 'application/json': updateWebhookSchema } },
  responses: { 200: { description: 'the webhook', schema: webhookAnswer } },
  errors: [...bodyErrors, 'not_found'],
});

export const deleteWebhookContract = defineRoute({
  method: 'DELETE',
  path: '/api/v1/webhooks/{id}',
  operationId: 'deleteWebhook',
  summary: 'Delete a webhook',
  tags: ['webhooks'],
  scope: 'stream',
  params: idParams,
  responses: { 204: { description: 'deleted' } },
  errors: ['not_found'],
});

export const testWebhookContract = defineRoute({
  method: 'POST',
  path: '/api/v1/webhooks/{id}/test',
  operationId: 'testWebhook',
  summary: 'Ask for a signed test delivery',
  description: 'The outcome appears as `webhook.test` in GET /api/v1/webhooks/{id}.',
  tags: ['webhooks'],
  scope: 'stream',
  params: idParams,
  responses: { 202: { description: 'the test is requested', schema: webhookAnswer } },
  errors: ['not_found'],
});

export const replayWebhookContract = defineRoute({
  method: 'POST',
  path: '/api/v1/webhooks/{id}/replay',
  operationId: 'replayWebhook',
  summary: 'Deliver every event after a cursor again',
  tags: ['webhooks'],
  scope: 'stream',
  params: idParams,
  body: { required: true, content: { 'application/json': replayWebhookSchema } },
  responses: { 200: { description: 'the webhook, its cursor moved back', schema: webhookAnswer } },
  errors: [...bodyErrors, 'not_found', 'invalid_cursor', 'cursor_expired'],
});
