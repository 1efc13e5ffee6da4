// Outbound webhooks (docs/webhooks.md): registration and views here, deliveries in server/webhooks.
export * from './webhooks';
export type { WebhookView, DeadLetterView } from './views';
export { signPayload, verifySignature, SIGNATURE_HEADER } from './signature';
export { webhooksConfigSchema, type WebhooksConfig } from './config';
