// The export a URL names (/api/v1/exports/{name}?tag=&feed=&minConfidence=&days=&type=): a bounded
// set of choices, so the cached bodies stay few; anything else is a 4xx saying what is allowed.
import { z } from 'zod';
import { AppError } from '../errors';
import { INDICATOR_TYPES, isIndicatorType, type IndicatorType } from '../indicators/types';
import { FEED_SLUG_RE } from '../feeds/schemas';
import { tagSchema } from '../ingest/schemas';
import type { ExportFormat, ExportQuery } from './types';

/** ?days= values; a snapshot covers the widest. */
export const EXPORT_DAYS = [1, 7, 30] as const;
export const DEFAULT_EXPORT_DAYS = 7;
/** ?minConfidence= is a multiple of this (0–100): 21 choices, not 101. */
export const CONFIDENCE_STEP = 5;

/** Indicator types each format can carry. */
export const FORMAT_TYPES: Record<ExportFormat, readonly IndicatorType[]> = {
  txt: INDICATOR_TYPES,
  csv: INDICATOR_TYPES,
  json: INDICATOR_TYPES,
  rpz: ['domain'],
  suricata: ['ipv4', 'ipv6', 'cidr', 'domain'],
  snort: ['ipv4', 'ipv6', 'cidr', 'domain'],
};

/** Every export name: `{type}.txt`, then the whole-set formats. */
export const EXPORT_NAMES: Record<string, { format: ExportFormat; type?: IndicatorType }> = {
  ...Object.fromEntries(INDICATOR_TYPES.map((t) => [`${t}.txt`, { format: 'txt' as const, type: t }])),
  'indicators.csv': { format: 'csv' },
  'indicators.json': { format: 'json' },
  csv: { format: 'csv' },
  json: { format: 'json' },
  'rpz.zone': { format: 'rpz' },
  'suricata.rules': { format: 'suricata' },
  'snort.rules': { format: 'snort' },
};

// A feed is named as in stream filters: its slug (any owner's public feed of that slug).
const feedSchema = z.string().trim().toLowerCase().regex(FEED_SLUG_RE, 'a feed slug: 1–64 lowercase letters, digits or dashes');

/** The query of /api/v1/exports/{name} (also its OpenAPI description, lib/api-contract/routes/exports.ts). */
export const exportQuerySchema = z.object({
  tag: tagSchema.optional(),
  feed: feedSchema.optional(),
  minConfidence: z
    .string()
    .regex(/^\d{1,3}$/, 'an integer 0–100')
    .transform(Number)
    .refine((n) => n <= 100 && n % CONFIDENCE_STEP === 0, `an integer 0–100, a multiple of ${CONFIDENCE_STEP}`)
    .optional(),
  days: z
    .string()
    .regex(/^\d{1,2}$/, `one of ${EXPORT_DAYS.join(', ')}`)
    .transform(Number)
    .refine((n) => (EXPORT_DAYS as readonly number[]).includes(n), `one of ${EXPORT_DAYS.join(', ')}`)
    .optional(),
  type: z.enum(INDICATOR_TYPES, { message: `one of ${INDICATOR_TYPES.join(', ')}` }).optional(),
});

/** Parses the export name and its query; unknown query parameters are ignored (cache busters). */
export function parseExportRequest(name: string, search: URLSearchParams): ExportQuery {
  const named = Object.hasOwn(EXPORT_NAMES, name) ? EXPORT_NAMES[name] : undefined;
  if (!named) throw new AppError('export_not_found', `no export "${name.slice(0, 100)}"; see /api/v1/exports for the list`, 404);
  const raw: Record<string, string> = {};
  for (const key of ['tag', 'feed', 'minConfidence', 'days', 'type'] as const) {
    const all = search.getAll(key);
    if (all.length > 1) throw new AppError('invalid_query', `give ${key} at most once`, 400);
    if (all.length === 1 && all[0] !== '') raw[key] = all[0];
  }
  const parsed = exportQuerySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('invalid_query', `${String(issue.path[0] ?? 'query')}: ${issue.message}`, 400);
  }
  const q = parsed.data;
  if (named.type && q.type && q.type !== named.type) throw new AppError('invalid_query', `type: ${name} lists ${named.type} only`, 400);
  const type = named.type ?? q.type ?? null;
  if (type && !isIndicatorType(type)) throw new AppError('invalid_query', 'type: unknown', 400);
  if (type && !FORMAT_TYPES[named.format].includes(type)) {
    throw new AppError('invalid_query', `type: ${name} carries ${FORMAT_TYPES[named.format].join(', ')}`, 400);
  }
  return { format: named.format, type, days: q.days ?? DEFAULT_EXPORT_DAYS, tag: q.tag ?? null, feed: q.feed ?? null, minConfidence: q.minConfidence ?? 0 };
}

/** The cache key of a parsed export. */
export const exportKey = (q: ExportQuery): string => [q.format, q.type ?? '*', q.days, q.tag ?? '*', q.feed ?? '*', q.minConfidence].join('\u0000');
