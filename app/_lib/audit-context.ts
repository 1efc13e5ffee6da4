// The audit context of the current request (lib/accounts/audit.ts): who, from where, with what.
import { headers } from 'next/headers';
import type { AuditContext } from '@/lib/accounts/audit';
import { clientIp } from './auth';

export async function requestAuditContext(actorUserId: string | null): Promise<AuditContext> {
  const h = await headers();
  return { actorUserId, ip: clientIp(h), userAgent: h.get('user-agent'), source: 'web' };
}
