// Zod at the boundary: a failed parse becomes one AppError (400 invalid_request) naming the field.
import { z } from 'zod';
import { AppError } from '../errors';

export function formatZodIssues(error: z.ZodError, max = 5): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : 'body';
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > max) parts.push(`and ${error.issues.length - max} more`);
  return parts.join('; ');
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code = 'invalid_request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError(code, formatZodIssues(result.error), 400);
  return result.data;
}

const LONE_SURROGATE_RE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Text that PostgreSQL can store and compare: no NUL, no lone surrogate. Every string a query or
 * path value becomes goes through it (server/http.ts refuses malformed encodings before this).
 */
export function safeText(what = 'the value') {
  return z
    .string()
    .refine((s) => !s.includes('\u0000'), `${what} contains a NUL character`)
    .refine((s) => !LONE_SURROGATE_RE.test(s), `${what} is not valid Unicode text`);
}
