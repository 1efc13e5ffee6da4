// Worker-pool benchmark (BullMQ on Redis, PostgreSQL): end-to-end jobs/s with 1 and with 2 worker
// processes on the same queue, and queue lag while ingestIndicators is fed at a fixed rate.
//
//   node --import tsx bench/workers.mts
//   env: BENCH_DATABASE_URL (postgresql://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL
//   (redis://127.0.0.1:6379), BENCH_JOBS (4000), BENCH_CONCURRENCY per worker (8),
//   BENCH_RATE indicators/s (5000), BENCH_SECONDS (20), BENCH_BATCH items per analyze job (50)
//
// Two workloads for the scaling figure: "cpu" jobs (2 ms of hashing each: what one Node process can
// do is the limit, so it shows how the queue spreads work) and real "analyze" jobs (the analyzers on
// PostgreSQL, BENCH_BATCH indicators each). The worker processes are this file run with --child.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { parseConfig } from '../lib/config.ts';
import { openDatabase } from '../lib/db/index.ts';
import { createEngines } from '../lib/engines/index.ts';
import { allowListFromConfig, ingestIndicators } from '../lib/ingest/index.ts';
import { createJobQueue, jobsConfigSchema, type JobQueue } from '../lib/jobs/index.ts';
import { createAnalysisEnqueuer } from '../lib/jobs/analysis-enqueuer.ts';
import { createLogger } from '../lib/logger.ts';
import { createAnalysisHandler } from '../server/workers/analysis-handler.ts';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const JOBS = Number(process.env.BENCH_JOBS ?? 4000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const RATE = Number(process.env.BENCH_RATE ?? 5000);
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
  const analyze = createAnalysisHandler({ sql: db.sql, allowList: allowListFromConfig(config), config: jobsConfig });
  const worker = queue.process(async (run) => (run.name === 'cpu' ? burnCpu(2) : analyze(run)), { concurrency: CONCURRENCY });
  process.stdout.write('READY\n');
  process.once('SIGTERM', () => {
    void worker.stop(5000).then(async () => {
      await queue.close();
      await engines.close();
      await db.close();
      process.exit(0);
    });
  });
}

interface Ctx {
  env: Record<string, string>;
  db: Awaited<ReturnType<typeof openDatabase>>;
  engines: ReturnType<typeof createEngines>;
}

async function startWorkers(ctx: Ctx, queueName: string, n: number): Promise<ChildProcess[]> {
  const children = Array.from({ length: n }, () =>
    spawn(process.execPath, ['--import', 'tsx', 'bench/workers.mts', '--child'], {
      env: { ...process.env, ...ctx.env, BENCH_QUEUE: queueName, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(children.map((c) => new Promise<void>((resolve) => createInterface({ input: c.stdout! }).on('line', (l) => l === 'READY' && resolve()))));
  return children;
}

async function stopWorkers(children: ChildProcess[]) {
  await Promise.all(children.map((c) => new Promise((r) => (c.once('exit', r), c.kill('SIGTERM')))));
}

async function drained(queue: JobQueue) {
  for (;;) {
    const { counts } = await queue.stats(1);
    if (counts.waiting + counts.active + counts.delayed === 0) return;
    await sleep(100);
  }
}

/** Jobs/s from the first add to the last completion, with `workers` processes. */
async function throughput(ctx: Ctx, kind: 'cpu' | 'analyze', workers: number, users: string[]): Promise<number> {
  const name = `bench-${kind}-${workers}-${randomBytes(3).toString('hex')}`;
  const queue = createJobQueue({ db: ctx.db, engines: ctx.engines }, jobsConfigSchema.parse({}), name);
  const children = await startWorkers(ctx, name, workers);
  const jobs = JOBS / (kind === 'analyze' ? 4 : 1);
  if (kind === 'analyze') {
    // The indicators exist (public sightings by several users), so the analyzers have work to do.
    for (let i = 0; i < jobs * BATCH; i += 1000) {
      const items = Array.from({ length: Math.min(1000, jobs * BATCH - i) }, () => randomIp());
      await ingestIndicators({ sql: ctx.db.sql, allowList: allowListFromConfig(parseConfig({})) }, { ownerId: users[i % users.length], feed: 'bench', items });
    }
  }
  const started = performance.now();
  for (let i = 0; i < jobs; i += 500) {
    await queue.addBulk(
      Array.from({ length: Math.min(500, jobs - i) }, () =>
        kind === 'cpu' ? { name: 'cpu', data: {} } : { name: 'analyze', data: { items: Array.from({ length: BATCH }, () => ({ t: 'ipv4', v: randomIp(), p: false })) } },
      ),
    );
  }
  await drained(queue);
  const rate = jobs / ((performance.now() - started) / 1000);
  await stopWorkers(children);
  await queue.close();
  return rate;
}

/** Feeds ingestIndicators at RATE indicators/s (afterCommit enqueue) and samples queue lag. */
async function lagUnderLoad(ctx: Ctx, users: string[], workers: number) {
  const name = `bench-lag-${randomBytes(3).toString('hex')}`;
  const queue = createJobQueue({ db: ctx.db, engines: ctx.engines }, jobsConfigSchema.parse({}), name);
  const enqueuer = createAnalysisEnqueuer(queue, { batchMs: 50, batchSize: 500 });
  const children = await startWorkers(ctx, name, workers);
  const deps = { sql: ctx.db.sql, allowList: allowListFromConfig(parseConfig({})), afterCommit: enqueuer.afterCommit };
  const tickMs = 100;
  const perTick = Math.round((RATE * tickMs) / 1000);
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
  let next = started;
  let k = 0;
  const inFlight = new Set<Promise<unknown>>();
  while (performance.now() - started < SECONDS * 1000) {
    // Two ingest calls per tick, run concurrently, like two API requests.
    for (let part = 0; part < 2; part++) {
      const items = Array.from({ length: perTick / 2 }, () => randomIp());
      const t0 = performance.now();
      const p = ingestIndicators(deps, { ownerId: users[k++ % users.length], feed: 'bench', items }).then(() => ingestMs.push(performance.now() - t0));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
      sent += items.length;
    }
    next += tickMs;
    await sleep(Math.max(0, next - performance.now()));
    while (inFlight.size > 8) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  const fedFor = (performance.now() - started) / 1000;
  await enqueuer.flush();
  const drainStart = performance.now();
  await drained(queue);
  const drainMs = performance.now() - drainStart;
  stop = true;
  await sampler;
  await stopWorkers(children);
  await queue.close();
  const sorted = [...lags].sort((a, b) => a - b);
  const sortedIngest = [...ingestMs].sort((a, b) => a - b);
  return {
    achievedRate: sent / fedFor,
    maxLagMs: sorted[sorted.length - 1] ?? 0,
    p95LagMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
    drainMs,
    ingestP50: sortedIngest[Math.floor(sortedIngest.length / 2)] ?? 0,
    ingestP99: sortedIngest[Math.floor(sortedIngest.length * 0.99)] ?? 0,
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
    console.log(`bench/workers — ${os.cpus().length} CPUs, BullMQ on Redis, PostgreSQL; ${CONCURRENCY} concurrent jobs per worker process`);
    const results: Record<string, [number, number]> = {};
    const only = process.env.BENCH_ONLY;
    results.cpu = [1, 1];
    results.analyze = [1, 1];
    for (const kind of (['cpu', 'analyze'] as const).filter((k) => !only || only === k)) {
      const one = await throughput(ctx, kind, 1, users);
      const two = await throughput(ctx, kind, 2, users);
      results[kind] = [one, two];
      const label = kind === 'cpu' ? 'cpu jobs (2 ms each)' : `analyze jobs (${BATCH} indicators each)`;
      console.log(`${label.padEnd(32)} 1 worker: ${fmt(one).padStart(6)} jobs/s   2 workers: ${fmt(two).padStart(6)} jobs/s   scaling ${fmt(two / one, 2)}x`);
    }
    console.log('feeding ingestIndicators…');
    const lag = await lagUnderLoad(ctx, users, 2);
    console.log(
      `ingest at ${fmt(RATE)} indicators/s for ${SECONDS} s (2 workers): achieved ${fmt(lag.achievedRate)}/s; queue lag max ${fmt(lag.maxLagMs / 1000, 2)} s, p95 ${fmt(lag.p95LagMs / 1000, 2)} s; drained ${fmt(lag.drainMs / 1000, 2)} s after the feed stopped; ingestIndicators p50 ${fmt(lag.ingestP50)} ms p99 ${fmt(lag.ingestP99)} ms`,
    );
    console.log(`targets: scaling ≥ 1.7x (cpu ${fmt(results.cpu[1] / results.cpu[0], 2)}x, analyze ${fmt(results.analyze[1] / results.analyze[0], 2)}x); lag < 5 s (${lag.maxLagMs < 5000 ? 'met' : 'missed'})`);
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
