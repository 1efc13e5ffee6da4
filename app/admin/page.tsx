// The operators' page: what the job scheduler sees, updating live (signed-in admins only).
import type { Metadata } from 'next';
import Link from 'next/link';
import { getJobQueue } from '@/lib/jobs';
import { getQueueOverview } from '@/lib/jobs/get-queue-overview';
import { getRuntime } from '@/lib/runtime';
import { JobsDashboard } from './jobs-dashboard';
import { requireAdmin } from './require-admin';
import { PeersSection } from './peers-section';
import { TrustSection } from './trust-section';

export const metadata: Metadata = { title: 'Operations' };
export const dynamic = 'force-dynamic';

export default async function AdminPage() {
  await requireAdmin('/admin');
  const initial = await getQueueOverview(getJobQueue(getRuntime()));
  return (
    <div className="mx-auto max-w-6xl px-4 py-10 sm:px-6">
      <h1 className="text-2xl font-semibold text-white">Operations</h1>
      <p className="mt-1 text-sm text-slate-400">
        Post-processing queue <code className="font-mono">{initial.queue}</code> on {initial.engine === 'bullmq' ? 'Redis (BullMQ)' : 'the embedded database'}.
      </p>
      <p className="mt-1 flex gap-4 text-sm">
        <Link className="text-brand-400 underline" href="/admin/users">Users</Link>
        <a className="text-brand-400 underline" href="/admin/outbox">Mail outbox</a>
      </p>
      <JobsDashboard initial={initial} />
      <TrustSection />
      <PeersSection />
    </div>
  );
}
