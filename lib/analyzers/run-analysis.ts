// Runs every analyzer over a batch of indicators, each within its time limit, and stores the merged
// findings (indicator_analyses: status done). An analyzer that fails or times out fails the run, so
// the job is retried; analyzers are idempotent (marks), so the others can safely run again.
import { ingestIndicators } from '../ingest';
import type { IndicatorType } from '../indicators';
import type { SqlSession } from '../db/sql-driver';
import { correlationAnalyzer } from './correlation';
import { decompositionAnalyzer } from './decomposition';
import { enrichmentAnalyzer } from './enrichment';
import { networkAggregationAnalyzer } from './network-aggregation';
import { ensureSystemFeeds } from './system-feeds';
import type { Analyzer, AnalyzerContext, AnalyzerDeps, AnalyzerInput, Finding } from './types';

export const DEFAULT_ANALYZERS: Analyzer[] = [enrichmentAnalyzer, correlationAnalyzer, networkAggregationAnalyzer, decompositionAnalyzer];

/** The name under which storing the merged findings is reported to AnalyzerDeps.observe. */
export const SAVE_FINDINGS = 'save-findings';

export class AnalyzerTimeoutError extends Error {
  constructor(name: string, ms: number) {
    super(`analyzer ${name} timed out after ${ms} ms`);
    this.name = 'AnalyzerTimeoutError';
  }
}

/** The context analyzers get: database, settings, and publishing through the one ingest function. */
export async function createAnalyzerContext(deps: AnalyzerDeps, signal: AbortSignal): Promise<AnalyzerContext> {
  const systemUserId = await ensureSystemFeeds(deps.sql);
  const now = deps.now ?? Date.now;
  return {
    sql: deps.sql,
    config: deps.config,
    now,
    signal,
    publish: (feed, items, kind) =>
      ingestIndicators({ sql: deps.sql, allowList: deps.allowList, now }, { ownerId: systemUserId, feed, items, ...(kind ? { kind } : {}) }),
    note: (target, finding) => saveFindings(deps.sql, [{ type: target.type, value: target.value, findings: [finding] }], { keepStatus: true }),
  };
}

async function withTimeout<T>(name: string, ms: number, parent: AbortSignal, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(parent.reason);
  parent.addEventListener('abort', onAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      run(controller.signal),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const error = new AnalyzerTimeoutError(name, ms);
          reject(error); // first: an analyzer that returns on abort must not win the race
          controller.abort(error);
        }, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', onAbort);
  }
}

/** Merges findings into stored analyses: a new finding replaces older ones of the same analyzer and kind. */
export async function saveFindings(
  sql: SqlSession,
  rows: { type: IndicatorType; value: string; findings: Finding[] }[],
  options: { keepStatus?: boolean } = {},
): Promise<void> {
  if (!rows.length) return;
  const sorted = [...rows].sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
  await sql.query(
    `INSERT INTO indicator_analyses AS a (type, value, status, findings, updated_at)
     SELECT x.t::"IndicatorType", x.v, 'done', x.f, now()
     FROM ROWS FROM (jsonb_to_recordset($1::jsonb) AS (t text, v text, f jsonb)) WITH ORDINALITY AS x(t, v, f, o)
     ORDER BY x.o
     ON CONFLICT (type, value) DO UPDATE SET
       status = CASE WHEN $2::boolean THEN a.status ELSE EXCLUDED.status END,
       error = CASE WHEN $2::boolean THEN a.error ELSE NULL END,
       updated_at = now(),
       findings = coalesce((SELECT jsonb_agg(e) FROM jsonb_array_elements(a.findings) e
                            WHERE NOT EXISTS (SELECT 1 FROM jsonb_array_elements(EXCLUDED.findings) n
                                              WHERE n->>'analyzer' = e->>'analyzer' AND n->>'kind' = e->>'kind')), '[]'::jsonb) || EXCLUDED.findings`,
    [JSON.stringify(sorted.map((r) => ({ t: r.type, v: r.value, f: r.findings }))), options.keepStatus === true],
  );
}

/** Marks analyses failed (the job's final attempt failed). */
export async function markAnalysesFailed(sql: SqlSession, inputs: Pick<AnalyzerInput, 'type' | 'value'>[], error: string): Promise<void> {
  await sql.query(
    `INSERT INTO indicator_analyses AS a (type, value, status, error, updated_at)
     SELECT DISTINCT x.t::"IndicatorType", x.v, 'failed', $2, now() FROM jsonb_to_recordset($1::jsonb) AS x(t text, v text)
     ON CONFLICT (type, value) DO UPDATE SET status = 'failed', error = EXCLUDED.error, updated_at = now()`,
    [JSON.stringify(inputs.map((i) => ({ t: i.type, v: i.value }))), error.slice(0, 1000)],
  );
}

export async function runAnalysis(
  deps: AnalyzerDeps,
  inputs: AnalyzerInput[],
  options: { analyzers?: Analyzer[]; signal?: AbortSignal } = {},
): Promise<Map<string, Finding[]>> {
  const analyzers = options.analyzers ?? DEFAULT_ANALYZERS;
  const signal = options.signal ?? new AbortController().signal;
  // The same value twice in a batch is analysed once (public wins: it may publish).
  const unique = new Map<string, AnalyzerInput>();
  for (const input of inputs) {
    const key = `${input.type}\u0000${input.value}`;
    const seen = unique.get(key);
    if (!seen || (!seen.public && input.public)) unique.set(key, input);
  }
  const batch = [...unique.values()];
  const ctx = await createAnalyzerContext(deps, signal);
  const findings = new Map<string, Finding[]>(batch.map((i) => [`${i.type}\u0000${i.value}`, []]));
  const errors: Error[] = [];
  for (const analyzer of analyzers) {
    const ms = analyzer.timeoutMs ?? deps.config.ANALYZER_TIMEOUT_MS;
    const started = performance.now();
    try {
      const result = await withTimeout(analyzer.name, ms, signal, (s) => analyzer.analyze(batch, { ...ctx, signal: s }));
      batch.forEach((input, k) => findings.get(`${input.type}\u0000${input.value}`)!.push(...(result[k] ?? [])));
    } catch (error) {
      errors.push(error instanceof Error ? error : new Error(String(error)));
    } finally {
      deps.observe?.(analyzer.name, performance.now() - started, batch.length);
    }
  }
  if (errors.length) throw new Error(errors.map((e) => e.message).join('; '), { cause: errors[0] });
  const started = performance.now();
  await saveFindings(
    deps.sql,
    batch.map((i) => ({ type: i.type, value: i.value, findings: findings.get(`${i.type}\u0000${i.value}`)! })),
  );
  deps.observe?.(SAVE_FINDINGS, performance.now() - started, batch.length);
  return findings;
}
