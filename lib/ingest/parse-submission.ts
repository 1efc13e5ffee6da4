// Turns a submission body (JSON batch or text/plain, one indicator per line) into raw items for
// ingestIndicators. Request-level problems are AppErrors with 4xx statuses; item-level problems are
// left to ingestIndicators so that one bad item rejects only itself.
import { AppError } from '../errors';
import { formatZodIssues, parseInput } from '../http/parse-input';
import { INGEST_LIMITS, jsonSubmissionSchema, textSubmissionOptionsSchema } from './schemas';

export interface ParsedSubmission {
  format: 'json' | 'text';
  items: unknown[];
  /** For text submissions: the 1-based line number of each item. */
  lines?: number[];
}

function mediaType(contentType: string | null): { type: string; charset: string | null } {
  if (!contentType) return { type: '', charset: null };
  const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/^"|"$/g, '') ?? null;
  return { type, charset };
}

function tooMany(count: number): AppError {
  return new AppError(
    'too_many_items',
    `a request carries at most ${INGEST_LIMITS.maxItems} indicators (got ${count}); split it into several requests`,
    413,
    { maxItems: INGEST_LIMITS.maxItems },
  );
}

function decodeUtf8(body: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body);
  } catch {
    throw new AppError('invalid_utf8', 'the request body is not valid UTF-8', 400);
  }
}

export function parseSubmission(
  contentType: string | null,
  body: Uint8Array,
  query: Record<string, string> = {},
): ParsedSubmission {
  const { type, charset } = mediaType(contentType);
  const isJson = type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
  const isText = type === 'text/plain';
  if (!isJson && !isText) {
    throw new AppError(
      'unsupported_media_type',
      `send Content-Type: application/json ({ "indicators": [...] }) or text/plain (one indicator per line)${type ? `, not ${type.slice(0, 100)}` : ''}`,
      415,
    );
  }
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('unsupported_media_type', `the body must be UTF-8 (got charset=${charset.slice(0, 40)})`, 415);
  }
  const text = decodeUtf8(body);
  if (isJson) return parseJsonSubmission(text);
  return parseTextSubmission(text, query);
}

function parseJsonSubmission(text: string): ParsedSubmission {
  if (!text.trim()) throw new AppError('invalid_json', 'the request body is empty; send { "indicators": [...] }', 400);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const problem = error instanceof Error ? error.message : 'syntax error';
    throw new AppError('invalid_json', `the request body is not valid JSON: ${problem.slice(0, 200)}`, 400);
  }
  // Count before validating so that 1,001 items get the clear "too many" answer.
  const raw = (json as { indicators?: unknown } | null)?.indicators;
  if (Array.isArray(raw) && raw.length > INGEST_LIMITS.maxItems) throw tooMany(raw.length);
  const result = jsonSubmissionSchema.safeParse(json);
  if (!result.success) {
    throw new AppError('invalid_request', `${formatZodIssues(result.error)} — expected { "indicators": [{ "value": "…" }, …] }`, 400);
  }
  return { format: 'json', items: result.data.indicators };
}

function parseTextSubmission(text: string, query: Record<string, string>): ParsedSubmission {
  const options = parseInput(textSubmissionOptionsSchema, query, 'invalid_query');
  const items: unknown[] = [];
  const lines: number[] = [];
  const all = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < all.length; i++) {
    const line = all[i].trim();
    if (!line || line.startsWith('#')) continue;
    if (items.length === INGEST_LIMITS.maxItems) {
      throw tooMany(items.length + all.slice(i).filter((l) => l.trim() && !l.trim().startsWith('#')).length);
    }
    items.push({
      value: line,
      ...(options.type ? { type: options.type } : {}),
      tags: options.tags,
      ...(options.confidence !== undefined ? { confidence: options.confidence } : {}),
      ...(options.reference ? { reference: options.reference } : {}),
    });
    lines.push(i + 1);
  }
  if (!items.length) throw new AppError('invalid_request', 'no indicators in the body (blank lines and # comments are ignored)', 400);
  return { format: 'text', items, lines };
}
