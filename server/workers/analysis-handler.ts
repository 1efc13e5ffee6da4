// What the workers do with each job of the analysis queue.
//
// Analyze jobs that a worker process holds at the same time (up to its concurrency) are coalesced:
// the jobs that arrive within one turn of the event loop run as ONE analysis (one statement per
// analyzer and one findings upsert for all of them), not one set of statements per job. A process
// with concurrency C runs at most ceil(C/2) jobs per set, so that two sets overlap (one in
// PostgreSQL while the other is in JavaScript). The per-statement cost in PostgreSQL (planning,
// commit, round trip) is paid once per set instead of once per job. A set that fails is run again
// job by job, so one bad job fails only itself; analyzers are idempotent (marks), so re-running
// the others is safe. Each job still completes, retries and dead-letters on its own.
import { z } from 'zod';
import { createAnalyzerContext, expireIndicators, markAnalysesFailed, runAnalysis, type Analyzer, type AnalyzerDeps, type AnalyzerInput } from '../../lib/analyzers';
import { INDICATOR_TYPES } from '../../lib/indicators';
import type { JobHandler } from '../../lib/jobs';

const analyzeSchema = z.object({
  items: z.array(z.object({ t: z.enum(INDICATOR_TYPES), v: z.string().min(1), p: z.boolean() })).max(10_000),
});

export interface AnalysisHandlerOptions {
  /** Most analyze jobs run as one set of statements. @default 4 (1: no coalescing) */
  maxJobsPerSet?: number;
  /** Most indicators in one set (a job larger than this runs alone). @default 2000 */
  maxItemsPerSet?: number;
  /** @default DEFAULT_ANALYZERS */
  analyzers?: Analyzer[];
}

interface Waiting {
  inputs: AnalyzerInput[];
  signal: AbortSignal;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Jobs per set for a worker of this concurrency: half of it, so that two sets overlap. */
export const jobsPerSet = (concurrency: number) => Math.max(1, Math.ceil(concurrency / 2));

/** How long jobs wait for companions while another set is in flight, at most. */
const GATHER_MS = 5;

function createCoalescer(deps: AnalyzerDeps, maxJobs: number, maxItems: number, analyzers: Analyzer[] | undefined) {
  let waiting: Waiting[] = [];
  let waitingItems = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;

  async function runSet(set: Waiting[]) {
    inFlight++;
    try {
      if (set.length === 1) {
        const [only] = set;
        await runAnalysis(deps, only.inputs, { signal: only.signal, analyzers }).then(only.resolve, only.reject);
        return;
      }
      try {
        await runAnalysis(
          deps,
          set.flatMap((w) => w.inputs),
          { signal: AbortSignal.any(set.map((w) => w.signal)), analyzers },
        );
        for (const w of set) w.resolve();
      } catch {
        // Isolate the failure: each job alone, with its own outcome.
        await Promise.all(set.map((w) => runAnalysis(deps, w.inputs, { signal: w.signal, analyzers }).then(w.resolve, w.reject)));
      }
    } finally {
      inFlight--;
      if (waiting.length) schedule();
    }
  }

  function flush() {
    if (timer) clearTimeout(timer);
    if (immediate) clearImmediate(immediate);
    timer = immediate = null;
    const all = waiting;
    waiting = [];
    waitingItems = 0;
    let set: Waiting[] = [];
    let items = 0;
    for (const w of all) {
      if (set.length && (set.length >= maxJobs || items + w.inputs.length > maxItems)) {
        void runSet(set);
        set = [];
        items = 0;
      }
      set.push(w);
      items += w.inputs.length;
    }
    if (set.length) void runSet(set);
  }

  // A full set, or nothing in flight: go at the end of this turn of the event loop (jobs fetched
  // together arrive together). Otherwise gather for a few ms: the jobs the other set is about to
  // hand back are replaced by the queue within a round trip.
  function schedule() {
    if (waiting.length >= maxJobs || waitingItems >= maxItems || inFlight === 0) {
      if (!immediate) immediate = setImmediate(flush);
    } else if (!timer && !immediate) {
      timer = setTimeout(flush, GATHER_MS);
    }
  }

  return (inputs: AnalyzerInput[], signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ inputs, signal, resolve, reject });
      waitingItems += inputs.length;
      schedule();
    });
}

export function createAnalysisHandler(deps: AnalyzerDeps, options: AnalysisHandlerOptions = {}): JobHandler {
  const maxJobs = Math.max(1, options.maxJobsPerSet ?? 4);
  const { analyzers } = options;
  const analyze =
    maxJobs === 1
      ? (inputs: AnalyzerInput[], signal: AbortSignal) => runAnalysis(deps, inputs, { signal, analyzers }).then(() => undefined)
      : createCoalescer(deps, maxJobs, options.maxItemsPerSet ?? 2000, analyzers);
  return async (run) => {
    switch (run.name) {
      case 'analyze': {
        const { items } = analyzeSchema.parse(run.data);
        const inputs = items.map((i) => ({ type: i.t, value: i.v, public: i.p }));
        try {
          await analyze(inputs, run.signal);
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
