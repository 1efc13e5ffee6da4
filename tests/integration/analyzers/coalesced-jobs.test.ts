// The workers' analyze handler runs the jobs it holds at the same time as one set of statements
// (server/workers/analysis-handler.ts): one analyzer call and one findings upsert for all of them,
// each job still succeeding or failing on its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Analyzer } from '@/lib/analyzers';
import { allowListFromConfig } from '@/lib/ingest';
import type { JobRun } from '@/lib/jobs';
import { createAnalysisHandler } from '@/server/workers/analysis-handler';
import { createTestDatabase, type TestDatabase } from '@/tests/helpers/test-env';
import { testJobsConfig } from '../jobs/helpers';

const config = testJobsConfig();
const allowList = allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] });
let t: TestDatabase;

beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.drop());

/** Records each call's inputs; fails any call that contains a value starting with "bad". */
function recorder() {
  const calls: string[][] = [];
  const analyzer: Analyzer = {
    name: 'recorder',
    async analyze(inputs) {
      calls.push(inputs.map((i) => i.value));
      if (inputs.some((i) => i.value.startsWith('bad'))) throw new Error('bad input');
      return inputs.map((i) => [{ analyzer: 'recorder', kind: 'seen', summary: `seen ${i.value}`, at: new Date().toISOString() }]);
    },
  };
  return { calls, analyzer };
}

const job = (id: string, values: string[]): JobRun => ({
  id,
  name: 'analyze',
  data: { items: values.map((v) => ({ t: 'domain', v, p: false })) },
  attempt: 1,
  maxAttempts: 1,
  isFinalAttempt: true,
  signal: new AbortController().signal,
});

async function analyses(values: string[]) {
  const rows = await t.db.sql.query<{ value: string; status: string; findings: { summary: string }[] }>(
    `SELECT value, status, findings FROM indicator_analyses WHERE value = ANY($1::text[]) ORDER BY value`,
    [values],
  );
  return Object.fromEntries(rows.map((r) => [r.value, { status: r.status, summaries: r.findings.map((f) => f.summary) }]));
}

describe('coalesced analyze jobs', () => {
  it('runs the jobs held at the same time as one analysis and stores every job’s findings', async () => {
    const { calls, analyzer } = recorder();
    const handler = createAnalysisHandler({ sql: t.db.sql, allowList, config }, { maxJobsPerSet: 4, analyzers: [analyzer] });
    const jobs = [['a1.xyz', 'a2.xyz'], ['b1.xyz'], ['c1.xyz', 'a1.xyz'], ['d1.xyz']];
    await Promise.all(jobs.map((values, k) => handler(job(`j${k}`, values))));
    expect(calls).toHaveLength(1);
    expect([...calls[0]].sort()).toEqual(['a1.xyz', 'a2.xyz', 'b1.xyz', 'c1.xyz', 'd1.xyz']);
    const stored = await analyses(['a1.xyz', 'a2.xyz', 'b1.xyz', 'c1.xyz', 'd1.xyz']);
    expect(Object.keys(stored)).toHaveLength(5);
    for (const [value, a] of Object.entries(stored)) expect(a).toEqual({ status: 'done', summaries: [`seen ${value}`] });
  });

  it('makes sets of at most maxJobsPerSet jobs', async () => {
    const { calls, analyzer } = recorder();
    const handler = createAnalysisHandler({ sql: t.db.sql, allowList, config }, { maxJobsPerSet: 2, analyzers: [analyzer] });
    await Promise.all(['e1', 'e2', 'e3', 'e4', 'e5'].map((v, k) => handler(job(`e${k}`, [`${v}.xyz`]))));
    expect(calls.map((c) => c.length)).toEqual([2, 2, 1]);
  });

  it('fails only the job whose input fails the set, and marks only its values failed', async () => {
    const { calls, analyzer } = recorder();
    const handler = createAnalysisHandler({ sql: t.db.sql, allowList, config }, { maxJobsPerSet: 4, analyzers: [analyzer] });
    const outcomes = await Promise.allSettled([
      handler(job('f0', ['f0.xyz'])),
      handler(job('f1', ['bad-f1.xyz', 'f1.xyz'])),
      handler(job('f2', ['f2.xyz'])),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason.message).toMatch(/bad input/);
    // The set, then each job alone.
    expect(calls).toHaveLength(4);
    const stored = await analyses(['f0.xyz', 'bad-f1.xyz', 'f1.xyz', 'f2.xyz']);
    expect(stored['f0.xyz'].status).toBe('done');
    expect(stored['f2.xyz'].status).toBe('done');
    expect(stored['bad-f1.xyz'].status).toBe('failed');
    expect(stored['f1.xyz'].status).toBe('failed');
  });

  it('without coalescing (maxJobsPerSet 1) every job is its own analysis', async () => {
    const { calls, analyzer } = recorder();
    const handler = createAnalysisHandler({ sql: t.db.sql, allowList, config }, { maxJobsPerSet: 1, analyzers: [analyzer] });
    await Promise.all(['g1', 'g2', 'g3'].map((v, k) => handler(job(`g${k}`, [`${v}.xyz`]))));
    expect(calls).toHaveLength(3);
  });
});
