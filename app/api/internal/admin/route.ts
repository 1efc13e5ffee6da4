// Operator commands from `sluice admin` on this machine, for when this process owns the embedded
// database. Loopback only, authenticated by the key derived from the session secret.
import path from 'node:path';
import { NextResponse } from 'next/server';
import { ADMIN_HEADER, adminKeyMatches } from '@/lib/accounts/admin-channel';
import { runAdminCommand, type AdminCommand } from '@/lib/accounts/admin-commands';
import { getRuntime } from '@/lib/runtime';
import { errorResponse, jsonError } from '../../_lib/respond';

export const dynamic = 'force-dynamic';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1', 'localhost']);

function isLoopback(req: Request): boolean {
  const host = new URL(req.url).hostname.replace(/^\[|\]$/g, '');
  const forwarded = req.headers.get('x-forwarded-for')?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  return LOOPBACK.has(host) && forwarded.every((ip) => LOOPBACK.has(ip));
}

export async function POST(req: Request) {
  try {
    if (!isLoopback(req)) return jsonError(403, 'forbidden', 'the admin channel answers on the loopback interface only');
    if (!adminKeyMatches(process.env.NEXTAUTH_SECRET, req.headers.get(ADMIN_HEADER))) {
      return jsonError(401, 'unauthorized', 'wrong admin key: run the CLI with the same NEXTAUTH_SECRET / DATA_DIR as the server');
    }
    const runtime = getRuntime();
    const command = (await req.json()) as AdminCommand;
    const result = await runAdminCommand({ prisma: runtime.db.prisma, engines: runtime.engines }, command);
    runtime.logger.info({ command: command.type }, 'admin command');
    return NextResponse.json({
      result,
      instance: {
        database: runtime.db.kind,
        location: runtime.db.kind === 'embedded' ? path.resolve(runtime.db.location) : runtime.db.location,
      },
    });
  } catch (error) {
    return errorResponse(error, req);
  }
}
