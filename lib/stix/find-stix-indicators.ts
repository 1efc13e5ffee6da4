// GET /api/v1/stix/indicators and /api/v1/stix/indicators/{type}/{value}: public indicators as a
// STIX 2.1 bundle (the instance's identity, the TLP:CLEAR marking, the indicators and their
// per-feed sightings), with the search filters (type, tag, feed, since, limit, cursor).
import { randomUUID } from 'node:crypto';
import type { SqlDriver } from '../db/sql-driver';
import { AppError } from '../errors';
import { parseInput } from '../http/parse-input';
import { INDICATOR_TYPES, isIndicatorType, parseIndicator } from '../indicators';
import { resolveReadableFeed } from '../search/resolve-feed';
import { findIndicatorsSchema } from '../search/schemas';
import type { TrustPolicy } from '../trust/policy';
import { decodeStixCursor, encodeStixCursor } from './cursor';
import { tlp2Marking } from './markings';
import { stixIdentity, stixIndicator, stixSighting, type StixInstance, type StixObject, type StixRow } from './objects';
import { publicInFeed, queryStixRows } from './rows';

export interface StixBundle {
  type: 'bundle';
  id: string;
  objects: StixObject[];
}

export interface StixContext {
  instance: StixInstance;
  lifetimes: TrustPolicy['lifetimes'];
}

export function makeBundle(objects: StixObject[]): StixBundle {
  return { type: 'bundle', id: `bundle--${randomUUID()}`, objects };
}

function bundleOf(ctx: StixContext, indicators: StixRow[], sightings: StixRow[]): StixBundle {
  return makeBundle([
    tlp2Marking('CLEAR'),
    stixIdentity(ctx.instance),
    ...indicators.map((r) => stixIndicator(r, ctx.instance, ctx.lifetimes)),
    ...sightings.map((r) => stixSighting({ ...r, feedId: r.feedId! }, ctx.instance)),
  ]);
}

async function sightingsOf(sql: SqlDriver, indicatorIds: string[], feedId: string | null): Promise<StixRow[]> {
  if (!indicatorIds.length) return [];
  const params: unknown[] = [JSON.stringify(indicatorIds)];
  const feed = feedId ? ` AND o.feed_id = $${params.push(feedId)}::uuid` : '';
  return queryStixRows(
    sql,
    `o.feed_id IS NOT NULL AND o.indicator_id IN (SELECT x::bigint FROM jsonb_array_elements_text($1::jsonb) AS x)${feed}`,
    params,
    'ORDER BY o.seq',
  );
}

export async function findStixIndicators(
  sql: SqlDriver,
  ctx: StixContext,
  callerId: string,
  query: unknown,
): Promise<{ bundle: StixBundle; next: string | null }> {
  const q = parseInput(findIndicatorsSchema, query, 'invalid_query');
  const after = q.cursor ? decodeStixCursor(q.cursor) : '0';
  const feedId = q.feed ? await resolveReadableFeed(sql, callerId, q.feed) : null;
  const params: unknown[] = [after, q.limit + 1];
  const where = ['o.feed_id IS NULL', 'o.seq > $1::bigint'];
  if (q.type) where.push(`i.type = $${params.push(q.type)}::"IndicatorType"`);
  if (q.tag) where.push(`o.labels @> ARRAY[$${params.push(q.tag)}]::text[]`);
  if (q.since) where.push(`o.last_seen >= $${params.push(q.since.toISOString())}::timestamptz`);
  if (feedId) where.push(publicInFeed(`$${params.push(feedId)}`));
  const rows = await queryStixRows(sql, where.join(' AND '), params, 'ORDER BY o.seq LIMIT $2');
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  const sightings = await sightingsOf(sql, page.map((r) => r.indicatorId), feedId);
  return { bundle: bundleOf(ctx, page, sightings), next: more ? encodeStixCursor(page[page.length - 1].seq) : null };
}

/** One public value as a bundle, or null when it is not public (unknown, private, held and retracted alike). */
export async function getStixIndicator(sql: SqlDriver, ctx: StixContext, input: { type: string; value: string }): Promise<StixBundle | null> {
  if (!isIndicatorType(input.type)) throw new AppError('invalid_type', `type must be one of ${INDICATOR_TYPES.join(', ')}`, 400);
  const parsed = parseIndicator(input.value, { type: input.type });
  if (!parsed.ok) throw new AppError('invalid_indicator', `not a valid ${input.type}: ${parsed.reason}`, 422, { reason: parsed.code });
  const rows = await queryStixRows(sql, `o.feed_id IS NULL AND i.type = $1::"IndicatorType" AND i.value = $2`, [parsed.type, parsed.value]);
  if (!rows.length) return null;
  return bundleOf(ctx, rows, await sightingsOf(sql, [rows[0].indicatorId], null));
}
