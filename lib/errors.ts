// The one application error. Expected failures carry a stable code and an HTTP status; the edge
// (route handlers, socket acks, the CLI) turns them into `{ error: { code, message } }` in one place.
export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toJSON() {
    return { error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) } };
  }
}

/**
 * True for an AppError — also one made by another copy of this module: Next bundles lib/ into each
 * of its bundles (instrumentation.ts apart from the pages) and the server entry loads its own, so an
 * AppError thrown by one copy is not an instance of another copy's class.
 */
export const isAppError = (error: unknown): error is AppError =>
  error instanceof AppError ||
  (error instanceof Error && error.name === 'AppError' && typeof (error as { code?: unknown }).code === 'string' && typeof (error as { status?: unknown }).status === 'number');

// A dependency that is down (PostgreSQL restarting, a refused connection) is not the caller's fault
// nor a bug: the edge answers 503 `unavailable` with Retry-After instead of a 500.
const UNAVAILABLE_NET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);
// SQLSTATE class 08 (connection exception) and the server going away or refusing connections.
const UNAVAILABLE_SQLSTATES = /^(08...|57P01|57P02|57P03|53300)$/;
// Prisma's codes for an unreachable, closed or timed-out database and an exhausted pool.
const UNAVAILABLE_PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024', 'P2037']);
const UNAVAILABLE_ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout', 'TooManyConnections']);
const UNAVAILABLE_MESSAGES =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is closed|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|Cannot use a pool after calling end|PGlite is closed|Query read timeout/i;

/** True when the error (or its cause) says a dependency — the database above all — is unreachable. */
export function isUnavailableError(error: unknown, depth = 0): boolean {
  if (depth > 4 || typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown }; errors?: unknown };
  if (isAppError(error)) return error.code === 'unavailable';
  if (typeof e.code === 'string' && (UNAVAILABLE_NET_CODES.has(e.code) || UNAVAILABLE_SQLSTATES.test(e.code) || UNAVAILABLE_PRISMA_CODES.has(e.code))) return true;
  if (typeof e.kind === 'string' && UNAVAILABLE_ADAPTER_KINDS.has(e.kind)) return true;
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  if (Array.isArray(e.errors) && e.errors.some((inner) => isUnavailableError(inner, depth + 1))) return true;
  return isUnavailableError(e.cause, depth + 1) || isUnavailableError(e.meta?.driverAdapterError, depth + 1);
}

/** Seconds a client should wait before retrying when a dependency is down. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export function unavailableError(): AppError {
  return new AppError('unavailable', `a service Sluice depends on is unavailable; retry in ${UNAVAILABLE_RETRY_AFTER_SECONDS} s`, 503);
}

/**
 * True when reading the request's body failed because the request is gone: the client hung up, or
 * the server's body bound (server/http.ts) already answered 413 and cut the upload off. Nobody is
 * waiting for an answer and nothing went wrong on our side: not an error to log as one.
 */
export function isAbortedRequestError(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; cause?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.code === 'ERR_STREAM_PREMATURE_CLOSE' || e.code === 'ECONNRESET' || e.name === 'AbortError') return true;
  return e.cause !== undefined && e.cause !== error && isAbortedRequestError(e.cause);
}
