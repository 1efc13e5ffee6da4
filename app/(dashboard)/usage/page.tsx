// The signed-in usage page: requests, lookups, submissions, stream time and events delivered per
// hour, day and token, against the plan's allowances (lib/usage, docs/usage.md).
import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { requireSessionUser } from '@/app/_lib/auth';
import { USAGE_METRICS, UsageView, UsageWarning, type UsageMetric } from '@/components/usage/usage-view';
import { getRuntime } from '@/lib/runtime';
import { getUsageRecorder, readUsageSummary } from '@/lib/usage';

export const metadata: Metadata = { title: 'Usage' };
export const dynamic = 'force-dynamic';

export default async function UsagePage({ searchParams }: { searchParams: Promise<{ metric?: string | string[] }> }) {
  const session = await requireSessionUser('/usage');
  const runtime = getRuntime();
  const { metric: raw } = await searchParams;
  const metric: UsageMetric = typeof raw === 'string' && Object.hasOwn(USAGE_METRICS, raw) ? (raw as UsageMetric) : 'requests';
  // This node's counts not yet added: added now (briefly waited for), so the page shows the requests just made.
  await Promise.race([getUsageRecorder(runtime).flush().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  const summary = await readUsageSummary(runtime.db.prisma, session.id, { requestsPerDay: runtime.config.API_REQUESTS_PER_DAY }).catch((error: unknown) => {
    if ((error as { code?: string }).code === 'P2025') return null; // the account was deleted while the session lived
    throw error;
  });
  if (!summary) redirect('/login');
  return (
    <div className="mx-auto max-w-4xl px-4 py-8 sm:px-6 sm:py-10">
      <div className="flex flex-col gap-1 sm:flex-row sm:items-end sm:justify-between">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight text-white sm:text-3xl">Usage</h1>
          <p className="mt-1 text-sm text-slate-400">What your tokens used, against the {summary.plan.name} plan.</p>
        </div>
        <div className="flex gap-4 text-sm">
          <Link href="/dashboard" className="text-brand-400 hover:text-brand-300">
            ← Dashboard
          </Link>
          <Link href="/settings" className="text-brand-400 hover:text-brand-300">
            Settings
          </Link>
          <Link href="/docs/api" className="text-brand-400 hover:text-brand-300">
            Limits explained
          </Link>
        </div>
      </div>
      <UsageWarning warnings={summary.warnings} />
      <UsageView summary={summary} metric={metric} />
    </div>
  );
}
