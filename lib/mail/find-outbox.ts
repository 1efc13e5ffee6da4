// The local outbox as operators read it at /admin/outbox: newest first.
import type { PrismaClient } from '../generated/prisma/client';

export async function findOutboxMail(prisma: PrismaClient, { limit = 50 }: { limit?: number } = {}) {
  return prisma.mailOutbox.findMany({
    orderBy: { createdAt: 'desc' },
    take: Math.min(Math.max(1, limit), 200),
    select: { id: true, to: true, subject: true, text: true, createdAt: true },
  });
}

export type OutboxMail = Awaited<ReturnType<typeof findOutboxMail>>[number];
