// The signed-in user's account as the dashboard shows it: plan and billing state.
import type { PrismaClient } from '../generated/prisma/client';

export async function getAccount(prisma: PrismaClient, userId: string) {
  return prisma.user.findUnique({
    where: { id: userId },
    select: {
      id: true,
      email: true,
      name: true,
      displayName: true,
      plan: true,
      isAdmin: true,
      stripeCustomerId: true,
      createdAt: true,
      emailVerifiedAt: true,
      totpEnabledAt: true,
      deletionDueAt: true,
      subscription: {
        select: { provider: true, status: true, currentPeriodEnd: true, cancelAtPeriodEnd: true, updatedAt: true },
      },
    },
  });
}

export type Account = NonNullable<Awaited<ReturnType<typeof getAccount>>>;

export async function getUserByEmail(prisma: PrismaClient, email: string) {
  return prisma.user.findUnique({ where: { email }, select: { id: true, email: true, plan: true, isAdmin: true } });
}
