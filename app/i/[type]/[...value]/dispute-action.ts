'use server';
// The indicator page's "Report a false positive" (docs/trust.md): a signed-in user's dispute,
// through the same lib/trust/disputes as POST /api/v1/indicators/{type}/{value}/disputes.
import { z } from 'zod';
import { authedAction } from '@/app/_lib/action';
import { createDisputeLimited } from '@/lib/trust/disputes';

const schema = z.object({
  type: z.string().max(20),
  value: z.string().min(1).max(4096),
  reason: z.string().trim().min(1, 'Say why it is a false positive.').max(1000, 'Use at most 1,000 characters.'),
});

export const reportFalsePositiveAction = authedAction(schema, async ({ type, value, reason }, { user, runtime }) => {
  const { dispute, created } = await createDisputeLimited({ sql: runtime.db.sql, engines: runtime.engines }, user.id, { type, value, body: { reason } });
  return { id: dispute.id, created, reason: dispute.reason, createdAt: dispute.createdAt };
});
