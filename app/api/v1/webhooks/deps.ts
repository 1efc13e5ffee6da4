// What the webhook routes hand lib/webhooks: the database, the log (for cursors and backlog), settings.
import type { Runtime } from '@/lib/runtime';
import type { WebhookDeps } from '@/lib/webhooks';

export const MAX_WEBHOOK_BODY = 16 * 1024;

export function webhookDeps(runtime: Runtime): WebhookDeps {
  return { prisma: runtime.db.prisma, sql: runtime.db.sql, log: runtime.engines.log, config: runtime.config };
}
