// Zod at the boundary: a failed parse becomes one AppError (400 invalid_request) naming the field.
import { z } from 'zod';
import { AppError } from '../errors';

export function formatZodIssues(error: z.ZodError, max = 5, root = 'body'): string {
  const parts = error.issues.slice(0, max).map((issue) => {
    const where = issue.path.length ? issue.path.map(String).join('.') : root;
    return `${where}: ${issue.message}`;
  });
  if (error.issues.length > max) parts.push(`and ${error.issues.length - max} more`);
  return parts.join('; ');
}

export function parseInput<S extends z.ZodType>(schema: S, input: unknown, code = 'invalid_request'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new AppError(code, formatZodIssues(result.error, 5, code === 'invalid_query' ? 'query' : 'body'), 400);
  return result.data;
}

/**
 * A query string as one value per name, for parseInput(…, 'invalid_query'). A name given twice is
 * refused (400 invalid_query) rather than silently reduced to one of its values: `?tag=a&tag=b`
 * does not mean "tag b".
 */
export function singleValuedQuery(params: URLSearchParams): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [name, value] of params) {
    if (Object.hasOwn(query, name)) throw new AppError('invalid_query', `${name.slice(0, 64)}: give it at most once`, 400);
    query[name] = value;
  }
  return query;
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

// What text others read may not hold: C0 controls (tab, newline and carriage return only where
// multiline), DEL and the C1 controls; and what makes text display as something else: the
// bidirectional embeddings, overrides and isolates ("Trojan Source"), the invisible zero-width space,
// word joiner and byte-order mark, the line and paragraph separators, and the noncharacters
// U+FFFE/U+FFFF. (Zero-width joiners stay: the Persian and Indic scripts and emoji need them.) As
// patterns, so that the OpenAPI document states them.
const DISPLAY_REFUSED = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u200b\\u2028\\u2029\\u202a-\\u202e\\u2060\\u2066-\\u2069\\ufeff\\ufffe\\uffff';
const MULTILINE_TEXT_RE = new RegExp(`^[^${DISPLAY_REFUSED}]*$`);
const ONE_LINE_TEXT_RE = new RegExp(`^[^\\t\\n\\r${DISPLAY_REFUSED}]*$`);

/**
 * Text people type and others read — names, descriptions, reasons, labels: storable (safeText), no
 * control characters (line breaks only where `multiline`), and nothing that disguises how it
 * displays. Every such field in lib/ takes its rule from here.
 */
export function displayText(what: string, { max, min = 0, multiline = false }: { max: number; min?: number; multiline?: boolean }) {
  const text = safeText(what).trim();
  return (min > 0 ? text.min(min, min === 1 ? `${what} must not be empty` : `${what} is at least ${min} characters`) : text)
    .max(max, `${what} is at most ${max} characters`)
    .regex(multiline ? MULTILINE_TEXT_RE : ONE_LINE_TEXT_RE, `${what} contains control characters${multiline ? '' : ', line breaks'} or invisible or bidirectional formatting characters`);
}

/**
 * Where a decoded JSON value holds a string PostgreSQL cannot store (a NUL, an unpaired surrogate),
 * as a path like `filters.tags.0`, or null. Keys count too. Iterative: a deeply nested body cannot
 * overflow the stack.
 */
export function findUnstorableText(value: unknown): string | null {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  const bad = (s: string) => s.includes('\u0000') || LONE_SURROGATE_RE.test(s);
  while (stack.length) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (bad(v)) return path || 'body';
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push({ value: item, path: path ? `${path}.${i}` : String(i) }));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        if (bad(key)) return at;
        stack.push({ value: item, path: at });
      }
    }
  }
  return null;
}
