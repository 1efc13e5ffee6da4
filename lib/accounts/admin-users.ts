// Operators' view of accounts (/admin/users and `sluice admin user …`): find users by email or name
// prefix, read one account (plan, subscription, tokens, feeds, sessions, recent audit events), and
// the operator actions, each recorded in the audit log with the operator as actor.
import { setPlan } from '../billing/set-plan';
import { AppError } from '../errors';
import type { PrismaClient } from '../generated/prisma/client';
import type { PlanId } from '../plans';
import { revokeApiToken } from '../tokens';
import { listAuditEvents, recordAudit, type AuditContext } from './audit';
import { isUuid } from './sessions';
import type { AccountDeps } from './types';

export const USER_SEARCH_PAGE = 25;
export const USER_SEARCH_MAX_QUERY = 100;

export interface UserListRow {
  id: string;
  email: string;
  name: string | null;
  plan: PlanId;
  isAdmin: boolean;
  suspendedAt: Date | null;
  createdAt: Date;
  lastSignInAt: Date | null;
}

/** LIKE wildcards in what an operator types are literal characters. */
function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Users whose email or name starts with `query` (case-insensitive; empty: everyone), by email,
 * USER_SEARCH_PAGE at a time after the email `after` (keyset pagination: any page costs the same).
 */
export async function searchUsers(
  prisma: PrismaClient,
  input: { query?: string | null; after?: string | null },
): Promise<{ users: UserListRow[]; next: string | null }> {
  // PostgreSQL text cannot hold NUL: what an operator (or a crafted URL) sends is cleaned, not refused.
  const clean = (v: string | null | undefined, max: number) => (v ?? '').replace(/\0/g, '').slice(0, max);
  const query = clean(input.query, USER_SEARCH_MAX_QUERY * 2).trim().slice(0, USER_SEARCH_MAX_QUERY);
  const after = clean(input.after, 320);
  const pattern = `${escapeLike(query.toLowerCase())}%`;
  // Raw SQL for an escaped prefix match (Prisma's startsWith does not say how it treats % and _).
  const rows = await prisma.$queryRaw<
    { id: string; email: string; name: string | null; plan: PlanId; is_admin: boolean; suspended_at: Date | null; created_at: Date; last_sign_in_at: Date | null }[]
  >`
    SELECT id, email, name, plan::text AS plan, is_admin, suspended_at, created_at, last_sign_in_at
    FROM users
    WHERE (${query} = '' OR lower(email) LIKE ${pattern} ESCAPE '\\' OR lower(coalesce(name, '')) LIKE ${pattern} ESCAPE '\\')
      AND email > ${after}
    ORDER BY email
    LIMIT ${USER_SEARCH_PAGE + 1}`;
  const users = rows.slice(0, USER_SEARCH_PAGE).map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    plan: r.plan,
    isAdmin: r.is_admin,
    suspendedAt: r.suspended_at,
    createdAt: r.created_at,
    lastSignInAt: r.last_sign_in_at,
  }));
  return { users, next: rows.length > USER_SEARCH_PAGE ? users[users.length - 1].email : null };
}

/** Everything /admin/users/[id] shows about one account, or null. */
export async function getAdminUserView(prisma: PrismaClient, userId: string) {
  if (!isUuid(userId)) return null;
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      displayName: true,
      plan: true,
      isAdmin: true,
      trustLevel: true,
      createdAt: true,
      emailVerifiedAt: true,
      totpEnabledAt: true,
      suspendedAt: true,
      lastSignInAt: true,
      stripeCustomerId: true,
      subscription: { select: { provider: true, status: true, currentPeriodEnd: true, cancelAtPeriodEnd: true, stripeSubscriptionId: true } },
      tokens: {
        orderBy: { createdAt: 'desc' },
        take: 200,
        select: { id: true, name: true, prefix: true, scopes: true, createdAt: true, lastUsedAt: true, revokedAt: true, expiresAt: true, allowedNetworks: true },
      },
      feeds: { orderBy: { createdAt: 'asc' }, take: 200, select: { id: true, slug: true, name: true, tlp: true, createdAt: true, _count: { select: { sightings: true } } } },
      _count: { select: { sessions: true, tokens: true, feeds: true } },
    },
  });
  if (!user) return null;
  const events = await listAuditEvents(prisma, userId, 50);
  return { ...user, events };
}

export type AdminUserView = NonNullable<Awaited<ReturnType<typeof getAdminUserView>>>;

/**
 * An operator sets the plan. A local (or no) subscription is replaced by an operator one; a
 * Stripe-managed subscription is left alone (lib/billing/set-plan.ts), so Stripe's next webhook for
 * that customer sets the plan back to what Stripe bills: cancel or change it in Stripe to make it last.
 */
export async function adminSetPlan(deps: AccountDeps, input: { userId: string; plan: PlanId }, context: AuditContext) {
  return setPlan(deps, { userId: input.userId, plan: input.plan, provider: 'admin', audit: context });
}

/** An operator revokes one of the user's tokens (by id, checked to be the user's). */
export async function adminRevokeToken(deps: AccountDeps, input: { userId: string; tokenId: string }, context: AuditContext) {
  if (!isUuid(input.tokenId) || !isUuid(input.userId)) throw new AppError('not_found', 'no such token', 404);
  const revoked = await revokeApiToken(deps, { id: input.tokenId, userId: input.userId });
  await recordAudit(deps.prisma, { ...context, action: 'token_revoked', subjectUserId: revoked.userId, details: { prefix: revoked.prefix } });
  return revoked;
}
