'use server';
// Dashboard server actions: thin wrappers around lib/ made by authedAction (session + zod).
import { z } from 'zod';
import { authedAction } from '@/app/_lib/action';
import { requestAuditContext } from '@/app/_lib/audit-context';
import { accountMailDeps } from '@/lib/accounts/account-mail';
import { notifyTokenCreated } from '@/lib/accounts/token-notice';
import { recordAudit } from '@/lib/accounts/audit';
import { createPortalSession } from '@/lib/billing/create-checkout-session';
import { getBilling } from '@/lib/billing/stripe-client';
import { toggleFirehose } from '@/lib/billing/toggle-firehose';
import { publicBaseUrl } from '@/lib/config';
import { updateDisplayName } from '@/lib/accounts/update-display-name';
import { AppError } from '@/lib/errors';
import { createApiToken, revokeApiToken, USER_TOKEN_SCOPES } from '@/lib/tokens';
import { expiryFromChoice } from '@/lib/token-limits';

const createTokenSchema = z.object({
  name: z.string().trim().min(1, 'Give the token a name.').max(100, 'Use at most 100 characters.'),
  // Only what a user may grant themselves: a `peer` token is the operator's (docs/federation.md).
  scopes: z.array(z.enum(USER_TOKEN_SCOPES, { error: `Scopes are ${USER_TOKEN_SCOPES.join(', ')}.` })).min(1, 'Pick at least one scope.'),
  /** '' (never), 30/90/365 (days) or YYYY-MM-DD (lib/token-limits expiryFromChoice). */
  expires: z.string().max(20).optional(),
  /** Comma- or space-separated CIDR networks; '' for anywhere. */
  networks: z.string().max(4000, 'Too long: at most 20 networks.').optional(),
});

export const createTokenAction = authedAction(createTokenSchema, async (input, { user, runtime }) => {
  const created = await createApiToken(runtime.db.prisma, {
    userId: user.id,
    name: input.name,
    scopes: input.scopes,
    expiresAt: expiryFromChoice(input.expires),
    allowedNetworks: input.networks ?? null,
  });
  const context = await requestAuditContext(user.id);
  await recordAudit(
    runtime.db.prisma,
    { ...context, action: 'token_created', subjectUserId: user.id, details: { prefix: created.prefix, name: created.name, scopes: created.scopes } },
    runtime.logger,
  );
  runtime.logger.info({ userId: user.id, tokenId: created.id, prefix: created.prefix }, 'token created');
  void notifyTokenCreated(accountMailDeps(runtime), { userId: user.id, token: created, source: { kind: 'dashboard', address: context.ip ?? null } });
  return { id: created.id, prefix: created.prefix, token: created.token };
});

export const revokeTokenAction = authedAction(z.object({ id: z.uuid() }), async ({ id }, { user, runtime }) => {
  const revoked = await revokeApiToken({ prisma: runtime.db.prisma, engines: runtime.engines }, { id, userId: user.id });
  await recordAudit(runtime.db.prisma, { ...(await requestAuditContext(user.id)), action: 'token_revoked', subjectUserId: user.id, details: { prefix: revoked.prefix } }, runtime.logger);
  runtime.logger.info({ userId: user.id, tokenId: revoked.id }, 'token revoked');
  return { id: revoked.id };
});

export const toggleFirehoseAction = authedAction(z.object({ enable: z.boolean() }), async ({ enable }, { user, runtime }) => {
  return toggleFirehose(
    { prisma: runtime.db.prisma, engines: runtime.engines },
    getBilling(runtime.config),
    { userId: user.id, enable, baseUrl: publicBaseUrl(runtime.config), audit: await requestAuditContext(user.id) },
  );
});

export const openBillingPortalAction = authedAction(z.object({}), async (_input, { user, runtime }) => {
  const billing = getBilling(runtime.config);
  if (billing.mode !== 'stripe') throw new AppError('billing_disabled', 'Billing is disabled on this instance.');
  return createPortalSession(runtime.db.prisma, billing, { userId: user.id, baseUrl: publicBaseUrl(runtime.config) });
});

export const updateDisplayNameAction = authedAction(z.object({ displayName: z.string().max(200) }), async ({ displayName }, { user, runtime }) => {
  return updateDisplayName(runtime.db.prisma, user.id, displayName);
});
