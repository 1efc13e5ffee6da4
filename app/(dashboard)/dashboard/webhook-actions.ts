'use server';
// Dashboard actions on the signed-in user's webhooks (lib/webhooks): pause/resume, replay, delete.
import { z } from 'zod';
import { authedAction } from '@/app/_lib/action';
import { deleteWebhook, replayWebhook, setWebhookPaused } from '@/lib/webhooks';
import type { Runtime } from '@/lib/runtime';

const deps = (runtime: Runtime) => ({ prisma: runtime.db.prisma, sql: runtime.db.sql, log: runtime.engines.log, config: runtime.config });

export const setWebhookPausedAction = authedAction(z.object({ id: z.uuid(), paused: z.boolean() }), async ({ id, paused }, { user, runtime }) => {
  const view = await setWebhookPaused(deps(runtime), user.id, id, { paused });
  return { id: view.id, state: view.state };
});

export const replayWebhookAction = authedAction(z.object({ id: z.uuid(), since: z.string().trim().min(1, 'Enter a cursor.').max(64) }), async ({ id, since }, { user, runtime }) => {
  const view = await replayWebhook(deps(runtime), user.id, id, { since });
  return { id: view.id, cursor: view.cursor };
});

export const deleteWebhookAction = authedAction(z.object({ id: z.uuid() }), async ({ id }, { user, runtime }) => {
  await deleteWebhook(deps(runtime), user.id, id);
  return { id };
});
