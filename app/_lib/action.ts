// Server actions are made by one helper: it checks the session, parses the input with zod, runs
// the domain function, and turns expected failures (AppError, a dependency that is down) into values
// the form can show.
import type { z } from 'zod';
import type { ActionResult } from '@/lib/action-result';
import { isAppError, isUnavailableError, unavailableError } from '@/lib/errors';
import { getRuntime, type Runtime } from '@/lib/runtime';
import { getSessionUser, type SessionUser } from './auth';

export type { ActionResult } from '@/lib/action-result';

export function authedAction<Schema extends z.ZodType, T>(
  schema: Schema,
  run: (input: z.output<Schema>, ctx: { user: SessionUser; runtime: Runtime }) => Promise<T>,
) {
  return async (input: z.input<Schema>): Promise<ActionResult<T>> => {
    let user: SessionUser | null;
    try {
      user = await getSessionUser();
    } catch (error) {
      return failure(error, getRuntime());
    }
    if (!user) return { ok: false, error: { code: 'unauthenticated', message: 'Your session ended. Sign in again.' } };
    const parsed = schema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, error: { code: 'invalid_input', message: issue.message, field: issue.path.join('.') || undefined } };
    }
    const runtime = getRuntime();
    try {
      return { ok: true, data: await run(parsed.data, { user, runtime }) };
    } catch (error) {
      return failure(error, runtime);
    }
  };
}

export function failure(error: unknown, runtime: Runtime): { ok: false; error: { code: string; message: string; field?: string } } {
  if (isAppError(error)) {
    const field = typeof error.details?.field === 'string' ? error.details.field : undefined;
    return { ok: false, error: { code: error.code, message: error.message, field } };
  }
  if (isUnavailableError(error)) {
    // The database (or Redis) is down: not a bug; the form says to retry shortly.
    runtime.logger.warn({ err: error }, 'server action: dependency unavailable');
    const unavailable = unavailableError();
    return { ok: false, error: { code: unavailable.code, message: unavailable.message } };
  }
  runtime.logger.error({ err: error }, 'server action failed');
  return { ok: false, error: { code: 'internal', message: 'Something went wrong on our side. Try again.' } };
}
