// Addresses an account has signed in from: the owner is let in from them even while strangers'
// failures slow the account down. Keyed by addressLimitKey (IPv4, or an IPv6 /64).
import { addressLimitKey } from '../client-address';
import type { PrismaClient } from '../generated/prisma/client';

/** An address is remembered this long after its last successful sign-in. */
export const SIGN_IN_ADDRESS_TTL_DAYS = 180;

/** Compared with for unknown emails too, so the lookup costs the same whether or not the account exists. */
const NO_USER = '00000000-0000-0000-0000-000000000000';

export async function isKnownSignInAddress(prisma: PrismaClient, userId: string | null, address: string | null | undefined): Promise<boolean> {
  const row = await prisma.signInAddress.findUnique({
    where: { userId_address: { userId: userId ?? NO_USER, address: addressLimitKey(address) } },
    select: { lastSeenAt: true },
  });
  return Boolean(row && userId && Date.now() - row.lastSeenAt.getTime() < SIGN_IN_ADDRESS_TTL_DAYS * 86_400_000);
}

export async function rememberSignInAddress(prisma: PrismaClient, userId: string, address: string | null | undefined): Promise<void> {
  const key = addressLimitKey(address);
  if (key === 'unknown') return;
  const now = new Date();
  await prisma.signInAddress.upsert({
    where: { userId_address: { userId, address: key } },
    create: { userId, address: key, firstSeenAt: now, lastSeenAt: now },
    update: { lastSeenAt: now },
  });
}
