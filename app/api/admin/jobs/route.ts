// GET /api/admin/jobs: the queue overview the admin page polls (operators only).
import { NextResponse } from 'next/server';
import { checkAdmin } from '@/app/admin/require-admin';
import { errorResponse, jsonError } from '@/app/api/_lib/respond';
import { getJobQueue } from '@/lib/jobs';
import { getQueueOverview } from '@/lib/jobs/get-queue-overview';
import { getRuntime } from '@/lib/runtime';

export const dynamic = 'force-dynamic';

export async function GET(req: Request) {
  try {
    const admin = await checkAdmin();
    if (!admin.ok) return admin.status === 401 ? jsonError(401, 'unauthenticated', 'sign in first') : jsonError(403, 'forbidden', 'operators only');
    const overview = await getQueueOverview(getJobQueue(getRuntime()));
    return NextResponse.json(overview, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    return errorResponse(error, req);
  }
}
