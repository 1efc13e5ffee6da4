// One user + API token + feeds fixture, written directly to the database (no HTTP, no server).
import { randomBytes } from 'node:crypto';
import { createFeed, type FeedView } from '@/lib/feeds';
import type { TlpLevel } from '@/lib/feeds/schemas';
import type { PrismaClient } from '@/lib/generated/prisma/client';
import type { PlanId } from '@/lib/plans';
import { createApiToken, type TokenScope } from '@/lib/tokens';

export interface AccountOptions {
  plan?: PlanId;
  scopes?: TokenScope[];
  feeds?: { slug: string; tlp?: TlpLevel; name?: string }[];
  /** A unique address is made up when not given. */
  email?: string;
  tokenName?: string;
}

export interface Account {
  user: { id: string; email: string; plan: PlanId };
  /** The full token (returned once by createApiToken, never stored). */
  token: string;
  tokenId: string;
  tokenPrefix: string;
  /** In the order given, by slug too. */
  feeds: FeedView[];
}

export async function createAccount(
  prisma: PrismaClient,
  { plan = 'firehose', scopes = ['read', 'submit', 'stream'], feeds = [], email, tokenName = 'test' }: AccountOptions = {},
): Promise<Account> {
  const user = await prisma.user.create({
    data: { email: email ?? `u_${randomBytes(6).toString('hex')}@test.local`, passwordHash: '!', plan },
    select: { id: true, email: true, plan: true },
  });
  const created = await createApiToken(prisma, { userId: user.id, name: tokenName, scopes });
  const made: FeedView[] = [];
  for (const feed of feeds) made.push(await createFeed(prisma, user.id, { slug: feed.slug, name: feed.name ?? feed.slug, tlp: feed.tlp ?? 'CLEAR' }));
  return { user: user as Account['user'], token: created.token, tokenId: created.id, tokenPrefix: created.prefix, feeds: made };
}
