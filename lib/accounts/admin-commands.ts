// Operator commands (`sluice admin ...`), run in-process by the CLI or, when a running embedded
// server owns the database, by that server on the CLI's behalf (server/admin-channel.ts).
import { z } from 'zod';
import { setPlan } from '../billing/set-plan';
import { AppError } from '../errors';
import { PLAN_IDS } from '../plans';
import { createApiToken, revokeApiToken, TOKEN_SCOPES } from '../tokens';
import { parseDuration } from '../token-limits';
import { runTrustAdminCommand, trustAdminCommandSchemas } from '../trust/admin';
import { federationAdminCommandSchemas, runFederationAdminCommand } from '../federation/admin';
import { recordAudit, type AuditContext } from './audit';
import type { AccountMailDeps } from './account-mail';
import { createUser } from './create-user';
import { deleteAccount } from './delete-account';
import { getUserByEmail } from './get-account';
import { endUserSessions, suspendUser, unsuspendUser } from './suspension';
import { resetTwoFactor } from './two-factor';
import { notifyTokenCreated } from './token-notice';
import type { AccountDeps } from './types';
import { emailSchema } from './validation';

export const adminCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ping') }),
  z.object({
    type: z.literal('user.create'),
    email: z.string(),
    password: z.string(),
    plan: z.enum(PLAN_IDS).default('free'),
    admin: z.boolean().default(false),
  }),
  z.object({ type: z.literal('user.plan'), email: z.string(), plan: z.enum(PLAN_IDS) }),
  z.object({ type: z.literal('user.delete'), email: z.string() }),
  z.object({ type: z.literal('user.suspend'), email: z.string(), reason: z.string().max(500).optional() }),
  z.object({ type: z.literal('user.unsuspend'), email: z.string() }),
  z.object({ type: z.literal('user.signout'), email: z.string() }),
  z.object({ type: z.literal('user.two-factor-off'), email: z.string() }),
  z.object({
    type: z.literal('token.create'),
    email: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(TOKEN_SCOPES)).min(1),
    /** A duration from now ("30d", "12h"; lib/token-limits parseDuration), or absent: never expires. */
    expiresIn: z.string().max(50).optional(),
    /** CIDR networks or addresses the token may be used from; absent/empty: anywhere. */
    allow: z.array(z.string().max(100)).max(100).optional(),
  }),
  z.object({ type: z.literal('token.revoke'), prefix: z.string().min(1) }),
  ...trustAdminCommandSchemas, // user.trust|retract, indicator.retract, warninglist, dispute (docs/trust.md)
  ...federationAdminCommandSchemas, // peer.add, .list, .remove, .pause, .resume, .set, .suggestions, .accept, .dismiss (docs/federation.md)
]);
export type AdminCommand = z.input<typeof adminCommandSchema>;

/** What the operator sees: human lines, and for token.create the token itself (printed last). */
export interface AdminResult {
  lines: string[];
  token?: string;
}

async function userByEmailOrThrow(deps: AccountDeps, rawEmail: string) {
  const email = emailSchema.safeParse(rawEmail);
  const user = email.success ? await getUserByEmail(deps.prisma, email.data) : null;
  if (!user) throw new AppError('user_not_found', `no user with email ${rawEmail.trim()}`, 404);
  return user;
}

/** What the audit log records for `sluice admin` (no person behind it that Sluice knows). */
const CLI: AuditContext = { actorUserId: null, source: 'cli' };

/** `notices`: mail the owner when a token is created for them (lib/accounts/token-notice.ts). */
export async function runAdminCommand(deps: AccountDeps & { notices?: AccountMailDeps }, input: AdminCommand): Promise<AdminResult> {
  const parsed = adminCommandSchema.safeParse(input);
  if (!parsed.success) throw new AppError('invalid_command', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  const command = parsed.data;
  switch (command.type) {
    case 'user.trust': case 'user.retract': case 'indicator.retract': case 'warninglist': case 'dispute': return runTrustAdminCommand(deps, command); // prettier-ignore
    case 'peer.add': case 'peer.list': case 'peer.remove': case 'peer.pause': case 'peer.resume': case 'peer.set': case 'peer.suggestions': case 'peer.accept': case 'peer.dismiss': return runFederationAdminCommand(deps, command); // prettier-ignore
    case 'ping':
      return { lines: ['pong'] };
    case 'user.create': {
      const user = await createUser(deps.prisma, { email: command.email, password: command.password, isAdmin: command.admin });
      await recordAudit(deps.prisma, { ...CLI, action: 'user_created', subjectUserId: user.id, details: { admin: command.admin } });
      if (command.plan !== 'free') await setPlan(deps, { userId: user.id, plan: command.plan, provider: 'admin', audit: CLI });
      return { lines: [`created ${command.admin ? 'operator' : 'user'} ${user.email} (${user.id}) on the ${command.plan} plan`] };
    }
    case 'user.plan': {
      const user = await userByEmailOrThrow(deps, command.email);
      const { previous } = await setPlan(deps, { userId: user.id, plan: command.plan, provider: 'admin', audit: CLI });
      return {
        lines: [previous === command.plan ? `${user.email} is already on the ${command.plan} plan` : `${user.email}: ${previous} → ${command.plan}`],
      };
    }
    case 'user.delete': {
      const user = await userByEmailOrThrow(deps, command.email);
      const deleted = await deleteAccount(deps, user.id);
      // Its own events went with it (personal data); this one keeps only the id.
      await recordAudit(deps.prisma, { ...CLI, action: 'user_deleted', subjectUserId: null, details: { userId: user.id } });
      return {
        lines: [
          `deleted ${deleted.email} with its tokens, feeds and sightings; ${deleted.indicatorsRecomputed} indicators recounted, ${deleted.indicatorsRemoved} no longer seen by anyone removed`,
        ],
      };
    }
    case 'token.create': {
      const user = await userByEmailOrThrow(deps, command.email);
      const expiresAt = command.expiresIn === undefined ? null : new Date(Date.now() + parseDuration(command.expiresIn));
      const created = await createApiToken(deps.prisma, { userId: user.id, name: command.name, scopes: command.scopes, expiresAt, allowedNetworks: command.allow });
      await recordAudit(deps.prisma, { ...CLI, action: 'token_created', subjectUserId: user.id, details: { prefix: created.prefix, name: created.name, scopes: created.scopes } });
      // Awaited: the CLI closes the database (the local outbox) when the command returns.
      if (deps.notices) await notifyTokenCreated(deps.notices, { userId: user.id, token: created, source: { kind: 'cli' } });
      return {
        lines: [
          `created token "${created.name}" (${created.prefix}…) for ${user.email}, scopes ${created.scopes.join(',')}`,
          `expires: ${created.expiresAt ? created.expiresAt.toISOString() : 'never'}; allowed networks: ${created.allowedNetworks.length ? created.allowedNetworks.join(', ') : 'any'}`,
          'it is shown once, below; store it now:',
        ],
        token: created.token,
      };
    }
    case 'token.revoke': {
      const prefix = command.prefix.trim().replace(/…$/, '');
      const revoked = await revokeApiToken(deps, { prefix });
      await recordAudit(deps.prisma, { ...CLI, action: 'token_revoked', subjectUserId: revoked.userId, details: { prefix: revoked.prefix } });
      return { lines: [`revoked token ${prefix}`] };
    }
    case 'user.suspend': {
      const user = await userByEmailOrThrow(deps, command.email);
      const { changed } = await suspendUser(deps, { userId: user.id, reason: command.reason }, CLI);
      return { lines: [changed ? `suspended ${user.email}: signed out everywhere, tokens refused, live streams ended` : `${user.email} is already suspended`] };
    }
    case 'user.unsuspend': {
      const user = await userByEmailOrThrow(deps, command.email);
      const { changed } = await unsuspendUser(deps, { userId: user.id }, CLI);
      return { lines: [changed ? `lifted the suspension of ${user.email}: they may sign in and their tokens work again` : `${user.email} is not suspended`] };
    }
    case 'user.signout': {
      const user = await userByEmailOrThrow(deps, command.email);
      const { ended } = await endUserSessions(deps, { userId: user.id }, CLI);
      return { lines: [`ended every session of ${user.email} (${ended} signed-in device${ended === 1 ? '' : 's'})`] };
    }
    case 'user.two-factor-off': {
      const user = await userByEmailOrThrow(deps, command.email);
      if (!(await resetTwoFactor(deps.prisma, user.id))) return { lines: [`${user.email} does not use two-factor sign-in`] };
      await recordAudit(deps.prisma, { ...CLI, action: 'two_factor_disabled', subjectUserId: user.id });
      return { lines: [`turned two-factor sign-in off for ${user.email}: their key and recovery codes no longer work; they sign in with the password and may set it up again`] };
    }
  }
}
