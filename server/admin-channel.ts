// The admin channel (`sluice admin` → a running node that owns the embedded database), served by the
// node's HTTP server itself on every role, not by Next: the decision "is this caller on this machine?"
// needs the connection's real peer address, which only the socket knows. Next's request URL names
// the bind address (0.0.0.0 on the default HOST), and headers can be forwarded or forged.
//
// A command is accepted when (1) the TCP peer is a loopback address (or this host's own address),
// (2) no reverse proxy forwarded it from elsewhere (the client address lib/client-address resolves
// is local too), and (3) it carries the key derived from the instance's session secret.
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { ADMIN_HEADER, ADMIN_PATH, adminKeyMatches } from '../lib/accounts/admin-channel';
import { accountMailDeps } from '../lib/accounts/account-mail';
import { runAdminCommand, type AdminCommand } from '../lib/accounts/admin-commands';
import { normaliseAddress, recordedClientAddress } from '../lib/client-address';
import { isAppError } from '../lib/errors';
import type { Runtime } from '../lib/runtime';

/** Commands are a few hundred bytes, except `warninglist add` with its entries (a Tranco-sized list is ~200 KB). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** 127.0.0.0/8, ::1, and their IPv4-mapped IPv6 forms. */
export function isLoopbackAddress(address: string | undefined | null): boolean {
  const a = normaliseAddress(address);
  return a === '::1' || (a !== null && /^127\.\d+\.\d+\.\d+$/.test(a));
}

export function isAdminRequest(req: IncomingMessage): boolean {
  return (req.url ?? '').split('?')[0] === ADMIN_PATH;
}

/**
 * The TCP peer is on this machine (loopback, or this host's own address when HOST names a LAN
 * address), and so is the client address server/http.ts resolved (lib/client-address.ts: with
 * TRUST_PROXY, a local reverse proxy forwarding a remote client is not a local caller).
 */
export function isLocalCaller(req: IncomingMessage): boolean {
  const { remoteAddress, localAddress } = req.socket;
  const self = normaliseAddress(localAddress);
  const local = (address: string | null | undefined) => isLoopbackAddress(address) || (self !== null && normaliseAddress(address) === self);
  if (!local(remoteAddress)) return false;
  if (req.headers.forwarded) return false; // RFC 7239: the CLI never sends it, a proxy does
  return local(recordedClientAddress(req.headers['x-forwarded-for']) ?? remoteAddress);
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const error = (res: ServerResponse, status: number, code: string, message: string) => send(res, status, { error: { code, message } });

async function readBody(req: IncomingMessage): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function handleAdminRequest(runtime: Runtime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const log = runtime.logger.child({ module: 'admin-channel' });
  if (!isLocalCaller(req)) {
    log.warn({ peer: req.socket.remoteAddress }, 'admin channel: refused a caller that is not on this machine');
    return error(res, 403, 'forbidden', 'the admin channel answers callers on this machine (loopback) only');
  }
  if (req.method !== 'POST') return error(res, 405, 'method_not_allowed', 'use POST');
  if (!adminKeyMatches(process.env.NEXTAUTH_SECRET, typeof req.headers[ADMIN_HEADER] === 'string' ? req.headers[ADMIN_HEADER] : null)) {
    return error(res, 401, 'unauthorized', 'wrong admin key: run the CLI with the same NEXTAUTH_SECRET / DATA_DIR as the server');
  }
  const raw = await readBody(req);
  if (raw === null) return error(res, 413, 'body_too_large', `an admin command is at most ${MAX_BODY_BYTES} bytes`);
  let command: AdminCommand;
  try {
    command = JSON.parse(raw) as AdminCommand;
  } catch {
    return error(res, 400, 'invalid_json', 'the body is not JSON');
  }
  try {
    const result = await runAdminCommand({ prisma: runtime.db.prisma, engines: runtime.engines, notices: accountMailDeps(runtime) }, command);
    log.info({ command: command?.type }, 'admin command');
    send(res, 200, {
      result,
      instance: {
        database: runtime.db.kind,
        location: runtime.db.kind === 'embedded' ? path.resolve(runtime.db.location) : runtime.db.location,
      },
    });
  } catch (failure) {
    if (isAppError(failure)) return send(res, failure.status, failure.toJSON());
    log.error({ err: failure, command: command?.type }, 'admin command failed');
    error(res, 500, 'internal', 'the admin command failed; see the server log');
  }
}
