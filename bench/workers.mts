// Worker-pool benchmark (BullMQ on Redis, PostgreSQL): end-to-end jobs/s with 1 and with 2 worker
// processes on the same queue, where the time goes per analyzer, and queue lag while ingest runs at
// the highest rate it sustains.
//
//   npm run bench:workers          (node --import tsx bench/workers.mts)
//   env: BENCH_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL
//   (redis://127.0.0.1:6379), BENCH_JOBS (4000 cpu jobs; a quarter as many analyze jobs),
//   BENCH_CONCURRENCY per worker (8), BENCH_BATCH items per analyze job (50), BENCH_SECONDS (20) of
//   feeding, BENCH_RATE indicators/s for the lag phase ("max" (default): BENCH_INGEST_CONCURRENCY (4)
//   calls of 1,000 indicators in flight all the time, i.e. the highest rate ingest sustains; a number:
//   that fixed rate), BENCH_ONLY=cpu|analyze|lag to run one phase, BENCH_COALESCE=0 to run every
//   analyze job as its own set of statements (as before server/workers/analysis-handler.ts coalesced
//   them), BENCH_SET_JOBS most jobs per set (half of BENCH_CONCURRENCY), BENCH_PROFILE=<dir> for a V8 CPU profile of each worker process (bench/cpuprofile-summary.mts).
//
// Two workloads for the scaling figure: "cpu" jobs (2 ms of hashing each: what one Node process can
// do is the limit, so it shows how the queue spreads work) and real "analyze" jobs (the analyzers on
// PostgreSQL, BENCH_BATCH indicators each). Same run, same data: the indicators are ingested once
// (public sightings by three users), and the 1-worker and the 2-worker runs analyse the very same
// jobs, each starting with no stored analyses. The worker processes are this file run with --child;
// each reports the time its analyzers took (wall time per job batch) when it stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { parseConfig } from '../lib/config.ts';
import { openDatabase } from '../lib/db/index.ts';
import { createEngines } from '../lib/engines/index.ts';
import { allowListFromConfig, ingestIndicators } from '../lib/ingest/index.ts';
import { createJobQueue, jobsConfigSchema, type JobQueue } from '../lib/jobs/index.ts';
import { createAnalysisEnqueuer } from '../lib/jobs/analysis-enqueuer.ts';
import { getEnrichmentDatabase } from '../lib/enrichment/enrich-indicator.ts';
import { createLogger } from '../lib/logger.ts';
import { createAnalysisHandler, jobsPerSet } from '../server/workers/analysis-handler.ts';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RATE = process.env.BENCH_RATE && process.env.BENCH_RATE !== 'max' ? Number(process.env.BENCH_RATE) : null;
const INGEST_CONCURRENCY = Number(process.env.BENCH_INGEST_CONCURRENCY ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const BATCH = Number(process.env.BENCH_BATCH ?? 50);
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const randomIp = () => `${[45, 91, 185, 193][Math.floor(Math.random() * 4)]}.${Math.floor(Math.random() * 256)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 254)}`;

function burnCpu(ms: number) {
  const end = performance.now() + ms;
  let h = randomBytes(32);
  while (performance.now() < end) h = createHash('sha256').update(h).digest();
}

async function child() {
  const config = parseConfig(process.env);
  const db = await openDatabase(config, { migrate: false });
  const engines = createEngines(config);
  const jobsConfig = jobsConfigSchema.parse({});
  const queue = createJobQueue({ db, engines }, jobsConfig, process.env.BENCH_QUEUE!);
  const timings: Timings = {};
  const observe = (name: string, ms: number, inputs: number) => {
    const t = (timings[name] ??= { ms: 0, batches: 0, inputs: 0 });
    t.ms += ms;
    t.batches += 1;
    t.inputs += inputs;
  };
  // BENCH_COALESCE=0: every job runs its own set of statements (as before the coalescing).
  const analyze = createAnalysisHandler(
    { sql: db.sql, allowList: allowListFromConfig(config), config: jobsConfig, observe },
    { maxJobsPerSet: process.env.BENCH_COALESCE === '0' ? 1 : Number(process.env.BENCH_SET_JOBS ?? jobsPerSet(CONCURRENCY)) },
  );
  const lags: number[] = [];
  const worker = queue.process(
    async (run) => {
      if (run.name === 'cpu') return burnCpu(2);
      await analyze(run);
      // From the enqueuer's add to the end of the analysis: how late the findings are.
      if (typeof run.data.at === 'number') lags.push(Date.now() - run.data.at);
    },
    { concurrency: CONCURRENCY },
  );
  // Loaded once per process on first use (tens of ms of parsing): before the measured phase, so
  // that it does not count once per worker process in the CPU per job.
  getEnrichmentDatabase();
  const ready = process.cpuUsage();
  process.stdout.write('READY\n');
  process.once('SIGTERM', () => {
    void worker.stop(5000).then(async () => {
      process.stdout.write(`TIMINGS ${JSON.stringify(timings)}\n`);
      process.stdout.write(`LAGS ${JSON.stringify(lags)}\n`);
      const cpu = process.cpuUsage(ready);
      process.stdout.write(`CPU ${(cpu.user + cpu.system) / 1000}\n`);
      await queue.close();
      await engines.close();
      await db.close();
      process.exit(0);
    });
  });
}

type Timings = Record<string, { ms: number; batches: number; inputs: number }>;

interface Ctx {
  env: Record<string, string>;
  db: Awaited<ReturnType<typeof openDatabase>>;
  engines: ReturnType<typeof createEngines>;
}

interface Workers {
  children: ChildProcess[];
  timings: Timings;
  /** Per enqueued job: ms from its add to the end of its analysis. */
  lags: number[];
  /** CPU ms the worker processes used, in all (known once they stopped). */
  cpuMs: number;
}

async function startWorkers(ctx: Ctx, queueName: string, n: number): Promise<Workers> {
  const timings: Timings = {};
  const lags: number[] = [];
  const pool: Workers = { children: [], timings, lags, cpuMs: 0 };
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, [...(process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : []), '--import', 'tsx', 'bench/workers.mts', '--child'], {
      env: { ...process.env, ...ctx.env, BENCH_QUEUE: queueName, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((resolve) =>
          createInterface({ input: c.stdout! }).on('line', (line) => {
            if (line === 'READY') resolve();
            if (line.startsWith('LAGS ')) lags.push(...(JSON.parse(line.slice(5)) as number[]));
            if (line.startsWith('CPU ')) pool.cpuMs += Number(line.slice(4));
            if (line.startsWith('TIMINGS ')) {
              for (const [name, t] of Object.entries(JSON.parse(line.slice(8)) as Timings)) {
                const sum = (timings[name] ??= { ms: 0, batches: 0, inputs: 0 });
                sum.ms += t.ms;
                sum.batches += t.batches;
                sum.inputs += t.inputs;
              }
            }
          }),
        ),
    ),
  );
  pool.children = children;
  return pool;
}

async function stopWorkers({ children }: Workers) {
  await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
  await sleep(50); // the last stdout line (TIMINGS) is read
}

/** CPU ms used so far by each PostgreSQL backend of the bench database (from /proc; Linux). */
async function backendCpu(ctx: Ctx): Promise<Map<number, number>> {
  const rows = await ctx.db.sql.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = current_database()`);
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      out.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS);
    } catch {
      // not on this machine (PostgreSQL elsewhere) or gone
    }
  }
  return out;
}
const CLOCK_TICKS = 100;

/** CPU ms the Redis server used so far (INFO cpu: the whole server, so other clients' work counts too). */
async function redisCpu(ctx: Ctx): Promise<{ ms: number; calls: number }> {
  const info = await ctx.engines.redis!.info('cpu');
  const field = (k: string) => Number(new RegExp(`^${k}:([0-9.]+)`, 'm').exec(info)?.[1] ?? 0);
  const stats = await ctx.engines.redis!.info('commandstats');
  const calls = [...stats.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
  return { ms: (field('used_cpu_user') + field('used_cpu_sys')) * 1000, calls };
}

/** PostgreSQL CPU ms between two backendCpu() readings (backends that appeared in between count whole). */
const cpuBetween = (before: Map<number, number>, after: Map<number, number>) =>
  [...after].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

/**
 * "where the time goes": wall time per analyzer, per job and as a share of the analysis time. Jobs
 * held at the same time by one worker run as one set (server/workers/analysis-handler.ts): the
 * first line says how many sets the jobs made.
 */
function timingLines(timings: Timings, jobs: number): string[] {
  const total = Object.values(timings).reduce((a, t) => a + t.ms, 0);
  const sets = timings['save-findings']?.batches ?? 0;
  return [
    `    ${fmt(jobs)} jobs ran as ${fmt(sets)} sets of statements (${fmt(jobs / Math.max(1, sets), 1)} jobs per set)`,
    ...Object.entries(timings)
      .sort((a, b) => b[1].ms - a[1].ms)
      .map(
        ([name, t]) =>
          `    ${name.padEnd(22)} ${fmt(t.ms / jobs, 2).padStart(8)} ms per job  ${fmt((t.ms / t.inputs) * 1000, 0).padStart(6)} µs per indicator  ${fmt((100 * t.ms) / total, 1).padStart(5)} %`,
      ),
  ];
}

async function drained(queue: JobQueue) {
  for (;;) {
    const { counts } = await queue.stats(1);
    if (counts.waiting + counts.active + counts.delayed === 0) return;
    await sleep(100);
  }
}

/** Ingests `n` random addresses (public sightings, spread over the users) and returns them. */
async function seed(ctx: Ctx, users: string[], n: number): Promise<string[]> {
  const values: string[] = [];
  for (let i = 0; i < n; i += 1000) {
    const items = Array.from({ length: Math.min(1000, n - i) }, () => randomIp());
    await ingestIndicators({ sql: ctx.db.sql, allowList: allowListFromConfig(parseConfig({})) }, { ownerId: users[(i / 1000) % users.length], feed: 'bench', items });
    values.push(...items);
  }
  return values;
}

/** Jobs/s from the first add to the last completion, with `workers` processes. */
async function throughput(
  ctx: Ctx,
  kind: 'cpu' | 'analyze',
  workers: number,
  values: string[],
): Promise<{ rate: number; jobs: number; timings: Timings; workerCpuPerJob: number; pgCpuPerJob: number; redisCpuPerJob: number; redisCallsPerJob: number }> {
  const name = `bench-${kind}-${workers}-${randomBytes(3).toString('hex')}`;
  const queue = createJobQueue({ db: ctx.db, engines: ctx.engines }, jobsConfigSchema.parse({}), name);
  // Every run starts from the same state: no stored analyses (marks stay, so nothing publishes twice).
  if (kind === 'analyze') await ctx.db.sql.query(`TRUNCATE indicator_analyses`);
  const pool = await startWorkers(ctx, name, workers);
  const jobs = kind === 'analyze' ? Math.floor(values.length / BATCH) : JOBS;
  const pgBefore = await backendCpu(ctx);
  const redisBefore = await redisCpu(ctx);
  const started = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, jobs - i) }, (_, k) =>
        kind === 'cpu'
          ? { name: 'cpu', data: {} }
          : { name: 'analyze', data: { items: values.slice((i + k) * BATCH, (i + k + 1) * BATCH).map((v) => ({ t: 'ipv4', v, p: true })) } },
      ),
    );
  }
  await drained(queue);
  const rate = jobs / ((performance.now() - started) / 1000);
  const pgMs = cpuBetween(pgBefore, await backendCpu(ctx));
  const redisAfter = await redisCpu(ctx);
  await stopWorkers(pool);
  await queue.close();
  return { rate, jobs, timings: pool.timings, workerCpuPerJob: pool.cpuMs / jobs, pgCpuPerJob: pgMs / jobs, redisCpuPerJob: (redisAfter.ms - redisBefore.ms) / jobs, redisCallsPerJob: (redisAfter.calls - redisBefore.calls) / jobs };
}

/**
 * Feeds ingestIndicators (the function behind POST /api/v1/feeds/{feed}/indicators, with the API's
 * afterCommit enqueue) with 2 workers running, and samples the queue lag (age of the oldest waiting
 * job) every 500 ms. Without BENCH_RATE: INGEST_CONCURRENCY calls of 1,000 indicators always in
 * flight, i.e. as fast as ingest goes on this machine while the workers run beside it.
 */
async function lagUnderLoad(ctx: Ctx, users: string[], workers: number) {
  const name = `bench-lag-${randomBytes(3).toString('hex')}`;
  const queue = createJobQueue({ db: ctx.db, engines: ctx.engines }, jobsConfigSchema.parse({}), name);
  const enqueuer = createAnalysisEnqueuer(queue, { batchMs: 50, batchSize: 500 });
  const pool = await startWorkers(ctx, name, workers);
  const deps = { sql: ctx.db.sql, allowList: allowListFromConfig(parseConfig({})), afterCommit: enqueuer.afterCommit };
  const lags: number[] = [];
  const ingestMs: number[] = [];
  let sent = 0;
  let stop = false;
  const sampler = (async () => {
    while (!stop) {
      lags.push((await queue.stats(1)).oldestWaitingMs);
      await sleep(500);
    }
  })();
  const started = performance.now();
  let k = 0;
  const call = async (n: number) => {
    const items = Array.from({ length: n }, () => randomIp());
    const t0 = performance.now();
    await ingestIndicators(deps, { ownerId: users[k++ % users.length], feed: 'bench', items });
    ingestMs.push(performance.now() - t0);
    sent += n;
  };
  if (RATE === null) {
    await Promise.all(
      Array.from({ length: INGEST_CONCURRENCY }, async () => {
        while (performance.now() - started < SECONDS * 1000) await call(1000);
      }),
    );
  } else {
    const tickMs = 100;
    const perTick = Math.round((RATE * tickMs) / 1000);
    let next = started;
    const inFlight = new Set<Promise<unknown>>();
    while (performance.now() - started < SECONDS * 1000) {
      // Two ingest calls per tick, run concurrently, like two API requests.
      for (let part = 0; part < 2; part++) {
        const p = call(Math.round(perTick / 2));
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      }
      next += tickMs;
      await sleep(Math.max(0, next - performance.now()));
      while (inFlight.size > 8) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
  }
  const fedFor = (performance.now() - started) / 1000;
  await enqueuer.flush();
  const drainStart = performance.now();
  await drained(queue);
  const drainMs = performance.now() - drainStart;
  stop = true;
  await sampler;
  await stopWorkers(pool);
  await queue.close();
  const sorted = [...pool.lags].sort((a, b) => a - b);
  const sortedIngest = [...ingestMs].sort((a, b) => a - b);
  return {
    achievedRate: sent / fedFor,
    jobs: sorted.length,
    maxWaitingMs: Math.max(0, ...lags),
    maxLagMs: sorted[sorted.length - 1] ?? 0,
    p50LagMs: sorted[Math.floor(sorted.length * 0.5)] ?? 0,
    p95LagMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    drainMs,
    ingestP50: sortedIngest[Math.floor(sortedIngest.length / 2)] ?? 0,
    ingestP99: sortedIngest[Math.floor(sortedIngest.length * 0.99)] ?? 0,
    timings: pool.timings,
  };
}

async function main() {
  const dbName = `sluice_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const prefix = `sluicebench${randomBytes(3).toString('hex')}:`;
  const env = { DATABASE_URL: url.toString(), REDIS_URL, REDIS_PREFIX: prefix };
  const config = parseConfig({ ...env });
  const db = await openDatabase(config);
  const engines = createEngines(config);
  const ctx: Ctx = { env, db, engines };
  const logger = createLogger('warn');
  try {
    const users: string[] = [];
    for (let i = 0; i < 3; i++) {
      const [u] = await db.sql.query<{ id: string }>(`INSERT INTO users (email, password_hash) VALUES ($1, '!') RETURNING id::text AS id`, [`bench${i}@bench.local`]);
      await db.sql.query(`INSERT INTO feeds (owner_id, slug, name) VALUES ($1, 'bench', 'bench')`, [u.id]);
      users.push(u.id);
    }
    console.log(`bench/workers — ${os.cpus().length} CPUs, BullMQ on Redis, PostgreSQL; ${CONCURRENCY} concurrent jobs per worker process; load average ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
    const only = process.env.BENCH_ONLY;
    const scaling: Record<string, number> = {};
    if (!only || only === 'cpu') {
      const one = await throughput(ctx, 'cpu', 1, []);
      const two = await throughput(ctx, 'cpu', 2, []);
      scaling.cpu = two.rate / one.rate;
      console.log(`${'cpu jobs (2 ms each)'.padEnd(32)} 1 worker: ${fmt(one.rate).padStart(6)} jobs/s   2 workers: ${fmt(two.rate).padStart(6)} jobs/s   scaling ${fmt(scaling.cpu, 2)}x`);
      for (const [label, r] of [['1 worker ', one], ['2 workers', two]] as const) {
        console.log(`  CPU per job, ${label}: worker processes ${fmt(r.workerCpuPerJob, 2)} ms, Redis ${fmt(r.redisCpuPerJob, 2)} ms and ${fmt(r.redisCallsPerJob, 1)} commands (whole server)`);
      }
    }
    if (!only || only === 'analyze') {
      const values = await seed(ctx, users, (JOBS / 4) * BATCH);
      const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM indicators`);
      const one = await throughput(ctx, 'analyze', 1, values);
      const two = await throughput(ctx, 'analyze', 2, values);
      scaling.analyze = two.rate / one.rate;
      console.log(
        `${`analyze jobs (${BATCH} indicators each)`.padEnd(32)} 1 worker: ${fmt(one.rate).padStart(6)} jobs/s   2 workers: ${fmt(two.rate).padStart(6)} jobs/s   scaling ${fmt(scaling.analyze, 2)}x   (${fmt(values.length / BATCH)} jobs, ${fmt(n)} indicators in the table)`,
      );
      const cpuLine = (label: string, r: typeof one) =>
        `  CPU per job, ${label}: worker processes ${fmt(r.workerCpuPerJob, 2)} ms, PostgreSQL ${fmt(r.pgCpuPerJob, 2)} ms, Redis ${fmt(r.redisCpuPerJob, 2)} ms and ${fmt(r.redisCallsPerJob, 1)} commands (whole server) → at most ${fmt((os.cpus().length * 1000) / (r.workerCpuPerJob + r.pgCpuPerJob + r.redisCpuPerJob))} jobs/s on ${os.cpus().length} idle cores`;
      console.log(cpuLine('1 worker ', one));
      console.log(cpuLine('2 workers', two));
      // One worker process is limited by its own core (1/w) or by all cores (cores/(w+p)); two by
      // all cores. With PostgreSQL and Redis on the same cores the ratio cannot exceed this.
      const cores = os.cpus().length;
      const w = one.workerCpuPerJob;
      const p = one.pgCpuPerJob + one.redisCpuPerJob;
      const ceiling = Math.min(2, cores / (w + p)) / Math.min(1 / w, cores / (w + p));
      console.log(
        `  ceiling on this machine: 2 workers can be at most ${fmt(ceiling, 2)}x 1 worker (w = ${fmt(w, 2)} ms in the worker, p = ${fmt(p, 2)} ms in PostgreSQL + Redis per job, ${cores} cores shared: min(2/w, ${cores}/(w+p)) ÷ min(1/w, ${cores}/(w+p)))`,
      );
      console.log('  where the time goes, 1 worker (wall time, summed over concurrent sets):');
      for (const line of timingLines(one.timings, one.jobs)) console.log(line);
      console.log('  2 workers:');
      for (const line of timingLines(two.timings, two.jobs)) console.log(line);
    }
    let lagMet: boolean | null = null;
    if (!only || only === 'lag') {
      console.log(`feeding ingestIndicators ${RATE === null ? `as fast as it goes (${INGEST_CONCURRENCY} calls of 1,000 in flight)` : `at ${fmt(RATE)} indicators/s`} for ${SECONDS} s with 2 workers…`);
      const lag = await lagUnderLoad(ctx, users, 2);
      lagMet = lag.maxLagMs < 5000;
      console.log(
        `ingest achieved ${fmt(lag.achievedRate)} indicators/s (ingestIndicators p50 ${fmt(lag.ingestP50)} ms, p99 ${fmt(lag.ingestP99)} ms per call)`,
      );
      console.log(
        `queue lag (job added → analysis done, ${fmt(lag.jobs)} jobs): p50 ${fmt(lag.p50LagMs / 1000, 2)} s, p95 ${fmt(lag.p95LagMs / 1000, 2)} s, max ${fmt(lag.maxLagMs / 1000, 2)} s; oldest waiting job at most ${fmt(lag.maxWaitingMs / 1000, 2)} s; drained ${fmt(lag.drainMs / 1000, 2)} s after the feed stopped`,
      );
      console.log('  where the time goes (500-indicator jobs from the enqueuer):');
      for (const line of timingLines(lag.timings, lag.jobs)) console.log(line);
    }
    const fmtScaling = (k: string) => (scaling[k] === undefined ? 'not run' : `${fmt(scaling[k], 2)}x`);
    const verdict = (ok: boolean | undefined | null) => (ok === undefined || ok === null ? 'not run' : ok ? 'MET' : 'NOT MET');
    console.log(`target (issue #13): 2 worker processes ≥ 1.7x one on real analysis jobs — analyze ${fmtScaling('analyze')}: ${verdict(scaling.analyze === undefined ? undefined : scaling.analyze >= 1.7)} (cpu jobs ${fmtScaling('cpu')})`);
    console.log(`target (issue #13): queue lag < 5 s while ingest is fed at the highest rate it sustains — ${verdict(lagMet)}`);
    console.log(`load average now ${os.loadavg().map((l) => fmt(l, 1)).join(' ')}`);
  } finally {
    logger.flush?.();
    const keys = await engines.redis!.keys(`${prefix}*`);
    for (let i = 0; i < keys.length; i += 1000) await engines.redis!.del(...keys.slice(i, i + 1000));
    await engines.close();
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

if (process.argv.includes('--child')) await child();
else await main();
