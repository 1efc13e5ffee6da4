// What the workers do with each job of the analysis queue.
import { z } from 'zod';
import { createAnalyzerContext, expireIndicators, markAnalysesFailed, runAnalysis, type AnalyzerDeps } from '../../lib/analyzers';
import { INDICATOR_TYPES } from '../../lib/indicators';
import type { JobHandler } from '../../lib/jobs';

const analyzeSchema = z.object({
  items: z.array(z.object({ t: z.enum(INDICATOR_TYPES), v: z.string().min(1), p: z.boolean() })).max(10_000),
});

export function createAnalysisHandler(deps: AnalyzerDeps): JobHandler {
  return async (run) => {
    switch (run.name) {
      case 'analyze': {
        const { items } = analyzeSchema.parse(run.data);
        const inputs = items.map((i) => ({ type: i.t, value: i.v, public: i.p }));
        try {
          await runAnalysis(deps, inputs, { signal: run.signal });
        } catch (error) {
          if (run.isFinalAttempt) await markAnalysesFailed(deps.sql, inputs, error instanceof Error ? error.message : String(error)).catch(() => undefined);
          throw error;
        }
        return;
      }
      case 'expire': {
        const ctx = await createAnalyzerContext(deps, run.signal);
        // Bounded per job; the scheduler's next tick continues where this one stopped.
        for (let round = 0; round < 20 && !run.signal.aborted; round++) {
          if ((await expireIndicators(ctx, 500)) === 0) break;
        }
        return;
      }
      default:
        throw new Error(`unknown job ${run.name}`);
    }
  };
}
