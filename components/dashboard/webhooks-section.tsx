// The dashboard's Webhooks section (server part): reads the user's endpoints with their delivery
// health and hands them to the interactive card with the page's server actions.
import { getRuntime } from '@/lib/runtime';
import { findWebhooks } from '@/lib/webhooks';
import { WebhooksCard, type WebhookActions } from './webhooks-card';

export async function WebhooksSection({ userId, actions }: { userId: string; actions: WebhookActions }) {
  const runtime = getRuntime();
  const webhooks = await findWebhooks({ prisma: runtime.db.prisma, sql: runtime.db.sql, log: runtime.engines.log, config: runtime.config }, userId);
  return <WebhooksCard webhooks={webhooks} now={new Date().toISOString()} actions={actions} />;
}
