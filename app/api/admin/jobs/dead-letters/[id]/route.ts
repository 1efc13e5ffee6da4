// POST /api/admin/jobs/dead-letters/{id} { action: "retry" | "discard" } (operators only, same origin).
import { NextResponse } from 'next/server';
import { z } from 'zod';
import { checkAdmin, isSameOrigin } from '@/app/admin/require-admin';
import { errorResponse, jsonError } from '@/app/api/_lib/respond';
import { getJobQueue } from '@/lib/jobs';
import { getRuntime } from '@/lib/runtime';

const bodySchema = z.object({ action: z.enum(['retry', 'discard']) });

export async function POST(req: Request, context: { params: Promise<{ id: string }> }) {
  try {
    return await handle(req, context);
  } catch (error) {
    return errorResponse(error, req);
  }
}

async function handle(req: Request, { params }: { params: Promise<{ id: string }> }) {
  if (!isSameOrigin(req)) return jsonError(403, 'bad_origin', 'cross-origin request refused');
  const admin = await checkAdmin();
  if (!admin.ok) return admin.status === 401 ? jsonError(401, 'unauthenticated', 'sign in first') : jsonError(403, 'forbidden', 'operators only');
  const parsed = bodySchema.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return jsonError(400, 'invalid_body', 'expected { "action": "retry" | "discard" }');
  const { id } = await params;
  const runtime = getRuntime();
  const queue = getJobQueue(runtime);
  const done = parsed.data.action === 'retry' ? await queue.retryDeadLetter(id) : await queue.discardDeadLetter(id);
  if (!done) return jsonError(404, 'not_found', `no dead letter ${id}`);
  runtime.logger.info({ admin: admin.user.email, action: parsed.data.action, deadLetter: id }, 'dead letter handled');
  return NextResponse.json({ ok: true, id, action: parsed.data.action });
}
