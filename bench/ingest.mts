// Ingest benchmark: indicators/s through the batch API (HTTP, a real node, PostgreSQL) against the
// ceiling of a bulk multi-row INSERT of the same normalised rows into the same database, in the
// same run. Prints both, the ratio, p50/p99 request latency, and the server's CPU and RSS; and the
// data model's own ceiling (every row Sluice keeps per public indicator, bulk-inserted the same way).
// Longer than 300 lines because the workload, both comparisons and their set-up read best in one file.
// With BENCH_LISTS=compare (the default) two nodes run at once, each on a fresh database: one without
// warning lists (an empty WARNING_LISTS_DIR), one with the shipped ones; the workload is posted to
// both in BENCH_ROUNDS chunks, alternating which goes first, so both see the same machine load. The
// matchers' compile time, memory and match rate are measured in process (docs/trust.md).
// BENCH_LISTS=sequential runs the two phases one after the other (plus the bulk-INSERT ceiling).
//
//   node --expose-gc --import tsx bench/ingest.mts   (BENCH_DATABASE_URL, BENCH_N, BENCH_BATCH, BENCH_CONCURRENCY, BENCH_ROUNDS, BENCH_LISTS=compare|sequential|with|matchers, BENCH_PROFILE, BENCH_STIX)
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../lib/db/index.ts';
import type { SqlDriver, SqlSession } from '../lib/db/sql-driver.ts';
import { DurableLog } from '../lib/engines/log/durable-log.ts';
import { MemoryCache } from '../lib/engines/log/memory-cache.ts';
import { parseIndicator, checkNeverPublish, compileAllowList } from '../lib/indicators/index.ts';
import { createLogger } from '../lib/logger.ts';
import { createApiToken } from '../lib/tokens.ts';
import { WarningLists } from '../lib/trust/warning-lists.ts';
import { startRelay } from '../server/relay.ts';
import { startServer } from '../tests/helpers/server-process.ts';
import { corpusPath, readTrails } from './maltrail.mts';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const LISTS = process.env.BENCH_LISTS ?? 'compare';
// BENCH_PROFILE=<dir>: the API phase's server writes a V8 CPU profile there (bench/cpuprofile-summary.mts reads it).
const PROFILE_DIR = process.env.BENCH_PROFILE;
// BENCH_STIX=off: the scratch databases run without the STIX projection's trigger on the log (the
// TAXII collections stay empty), to measure its share of the relay's cost; never how Sluice runs.
const STIX_OFF = process.env.BENCH_STIX === 'off';
const stixNote = STIX_OFF ? ' — STIX projection OFF (BENCH_STIX=off)' : '';
const withoutStixProjection = (db: { sql: { query(sql: string): Promise<unknown> } }) => db.sql.query('ALTER TABLE firehose_log DISABLE TRIGGER stix_project_log');
const serverNodeArgs = PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ=100)
}
/**
 * CPU seconds of the PostgreSQL backends connected to one database (their command line names it)
 * from now on: the database's side of a phase, insensitive to other processes' load. Polled, so that
 * a backend that ends (a pool closing an idle connection) keeps what it used up to its last poll.
 * Needs PostgreSQL on this machine; 0 when none is visible.
 */
function databaseCpu(dbName: string) {
  const base = new Map<number, number>();
  const last = new Map<number, number>();
  const poll = (into: Map<number, number>) => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        if (!readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(` ${dbName} `)) continue;
        into.set(Number(entry), cpuSeconds(Number(entry)));
      } catch {
        // the backend ended meanwhile
      }
    }
  };
  poll(base);
  const timer = setInterval(() => poll(last), 200);
  return {
    stop(): number {
      clearInterval(timer);
      poll(last);
      let total = 0;
      for (const [pid, cpu] of last) total += cpu - (base.get(pid) ?? 0);
      return total;
    },
  };
}
function memoryMb(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function main() {
  // 1. Workload: the first N distinct, publishable maltrail indicators, normalised once here too
  //    (for the bulk baseline; the API normalises them again from the raw values).
  const allow = compileAllowList({ domains: [], networks: [] });
  const seen = new Set<string>();
  const raw: { value: string; tags: string[]; reference?: string }[] = [];
  const normalised: NormalisedRow[] = [];
  for await (const row of readTrails(Infinity)) {
    const parsed = parseIndicator(row.value);
    if (!parsed.ok || checkNeverPublish(parsed, allow).blocked) continue;
    const key = `${parsed.type}:${parsed.value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const tags = [row.category, row.family].filter((t) => /^[\p{L}\p{N}][\p{L}\p{N} ._:/+#@&$()'-]*$/u.test(t ?? '') && t.length <= 64).map((t) => t.toLowerCase());
    const reference = row.reference && row.reference.length <= 2048 ? row.reference : undefined;
    raw.push({ value: row.value, tags, ...(reference ? { reference } : {}) });
    normalised.push({ type: parsed.type, value: parsed.value, port: parsed.port ?? null, tags, reference: reference ?? null });
    if (raw.length >= N) break;
  }

  const results: string[] = [];
  if (LISTS === 'matchers') {
    // In process only (no database, no server): the matchers' own cost.
    console.log(measureMatchers(raw.map((r) => r.value)).join('\n'));
    return;
  }
  if (LISTS === 'compare') {
    // Both nodes up at once, the same chunks posted to each in alternating order: the machine's load
    // (shared by other work) hits both alike, which two phases one after the other cannot promise.
    results.push(...(await interleaved(raw)));
    results.push(...measureMatchers(raw.map((r) => r.value)));
    console.log(results.join('\n'));
    return;
  }
  if (LISTS === 'sequential') {
    const without = await apiPhase(raw, normalised, { WARNING_LISTS_DIR: mkdtempSync(path.join(os.tmpdir(), 'sluice-no-lists-')) }, false);
    const withLists = await apiPhase(raw, normalised, {}, true);
    results.push(...withLists.lines, `without lists: ${fmt(without.rate)} indicators/s (p50 ${without.p50.toFixed(0)} ms); with lists: ${fmt(withLists.rate)} indicators/s → ${(((without.rate - withLists.rate) / without.rate) * 100).toFixed(1)} % slower`);
  } else results.push(...(await apiPhase(raw, normalised, {}, true)).lines);
  results.push(...measureMatchers(raw.map((r) => r.value)));
  console.log(results.join('\n'));
}

function measureMatchers(values: string[]): string[] {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const lists = new WarningLists('lib/trust/lists');
  const compiled = lists.all();
  const compileMs = performance.now() - t0;
  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  const typed = values.map((v) => parseIndicator(v)).filter((p) => p.ok).map((p) => p as { type: Parameters<typeof compiled.match>[0]; value: string });
  let hits = 0;
  const m0 = performance.now();
  for (let round = 0; round < 5; round++) for (const p of typed) if (compiled.match(p.type, p.value).length) hits++;
  const perSecond = (typed.length * 5) / ((performance.now() - m0) / 1000);
  return [
    `matchers:    ${compiled.lists.length} lists, ${fmt(compiled.lists.reduce((n, l) => n + l.entries, 0))} entries, compiled in ${compileMs.toFixed(0)} ms, ${gc ? `${heapMb.toFixed(1)} MB of heap` : 'heap n/a (run with --expose-gc)'}; ${fmt(perSecond)} matches/s in process (${fmt(hits / 5)} of ${fmt(typed.length)} workload values hit a list)`,
  ];
}

/** A scratch database, a firehose user with a token and a public feed, a relay and a real node. */
async function startTarget(env: Record<string, string>) {
  const dbName = `sluice_bench_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const db = await openDatabase({ DATABASE_URL: url.toString(), DATA_DIR: './data' });
  if (STIX_OFF) await withoutStixProjection(db);
  const user = await db.prisma.user.create({ data: { email: 'bench@sluice.local', passwordHash: '!', plan: 'firehose' } });
  await db.prisma.feed.create({ data: { ownerId: user.id, slug: 'bench', name: 'bench', tlp: 'CLEAR' } });
  const { token } = await createApiToken(db.prisma, { userId: user.id, name: 'bench', scopes: ['submit', 'read'] });
  const log = new DurableLog(db.sql, new MemoryCache(50_000), { retention: { maxAgeMs: 3_600_000, maxLength: 10_000_000 } });
  const relay = startRelay({ engines: { log }, logger: createLogger('silent') });
  const server = await startServer({ DATABASE_URL: url.toString(), LOG_LEVEL: 'info', ROLES: 'web', ...env }, { timeoutMs: 300_000 });
  const post = async (items: { value: string; tags: string[]; reference?: string }[]) => {
    const started = performance.now();
    const res = await fetch(`${server.url}/api/v1/feeds/bench/indicators`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ indicators: items }),
    });
    const body = (await res.json()) as { accepted?: number; error?: unknown };
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
    return { ms: performance.now() - started, accepted: body.accepted ?? 0 };
  };
  return {
    post,
    pid: server.child.pid!,
    async stop() {
      await server.stop();
      await relay.stop();
      await db.close();
      await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await admin.end();
    },
  };
}

/** Posts `chunk` in BATCH-sized requests, CONCURRENCY in flight; wall seconds and accepted. */
async function drive(post: (items: { value: string; tags: string[] }[]) => Promise<{ ms: number; accepted: number }>, chunk: { value: string; tags: string[] }[], latencies: number[]) {
  const batches: (typeof chunk)[] = [];
  for (let i = 0; i < chunk.length; i += BATCH) batches.push(chunk.slice(i, i + BATCH));
  let next = 0;
  let accepted = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < batches.length) {
        const r = await post(batches[next++]);
        latencies.push(r.ms);
        accepted += r.accepted;
      }
    }),
  );
  return { seconds: (performance.now() - t0) / 1000, accepted };
}

async function interleaved(raw: { value: string; tags: string[]; reference?: string }[]): Promise<string[]> {
  const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
  const emptyDir = mkdtempSync(path.join(os.tmpdir(), 'sluice-no-lists-'));
  const targets = {
    without: await startTarget({ WARNING_LISTS_DIR: emptyDir }),
    with: await startTarget({}),
  };
  try {
    for (const t of Object.values(targets)) {
      for (let i = 0; i < 3; i++) await t.post(Array.from({ length: BATCH }, (_, k) => ({ value: `warmup-${i}-${k}.bench-warmup.com`, tags: [] })));
    }
    const stats = {
      without: { seconds: 0, accepted: 0, cpu: 0, latencies: [] as number[], rounds: [] as number[] },
      with: { seconds: 0, accepted: 0, cpu: 0, latencies: [] as number[], rounds: [] as number[] },
    };
    const size = Math.ceil(raw.length / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const chunk = raw.slice(r * size, (r + 1) * size);
      const order = r % 2 === 0 ? (['without', 'with'] as const) : (['with', 'without'] as const);
      for (const name of order) {
        const t = targets[name];
        const cpu0 = cpuSeconds(t.pid);
        const d = await drive(t.post, chunk, stats[name].latencies);
        stats[name].cpu += cpuSeconds(t.pid) - cpu0;
        stats[name].seconds += d.seconds;
        stats[name].accepted += d.accepted;
        stats[name].rounds.push(d.accepted / d.seconds);
      }
    }
    const line = (name: 'without' | 'with') => {
      const s = stats[name];
      s.latencies.sort((a, b) => a - b);
      const mem = memoryMb(targets[name].pid);
      return `${name === 'with' ? 'with lists:   ' : 'without lists:'} ${fmt(s.accepted / s.seconds)} indicators/s (${fmt(s.accepted)} in ${s.seconds.toFixed(2)} s), p50 ${pct(s.latencies, 50).toFixed(0)} ms; server ${((s.cpu / s.accepted) * 1e6).toFixed(0)} CPU-µs per indicator, RSS ${mem.rss.toFixed(0)} MB`;
    };
    const rate = (name: 'without' | 'with') => stats[name].accepted / stats[name].seconds;
    const cpuPer = (name: 'without' | 'with') => stats[name].cpu / stats[name].accepted;
    const perRound = stats.with.rounds.map((w, i) => 1 - w / stats.without.rounds[i]).sort((a, b) => a - b);
    return [
      `sluice ingest benchmark (warning lists, interleaved) — ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
      `workload: ${fmt(raw.length)} distinct maltrail indicators from ${corpusPath()}, ${BATCH} per request, ${CONCURRENCY} concurrent; ${ROUNDS} rounds, each chunk posted to both nodes, order alternating`,
      line('without'),
      line('with'),
      `overhead:    throughput ${(((rate('without') - rate('with')) / rate('without')) * 100).toFixed(1)} % (median of the rounds ${(perRound[Math.floor(perRound.length / 2)] * 100).toFixed(1)} %), server CPU per indicator ${(((cpuPer('with') - cpuPer('without')) / cpuPer('without')) * 100).toFixed(1)} %`,
    ];
  } finally {
    await targets.without.stop();
    await targets.with.stop();
  }
}

async function apiPhase(
  raw: { value: string; tags: string[]; reference?: string }[],
  normalised: NormalisedRow[],
  env: Record<string, string>,
  withBaseline: boolean,
): Promise<{ rate: number; p50: number; lines: string[] }> {
  // 2. A scratch database with one user, token and public feed.
  const dbName = `sluice_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const db = await openDatabase({ DATABASE_URL: url.toString(), DATA_DIR: './data' });
  if (STIX_OFF) await withoutStixProjection(db);
  const user = await db.prisma.user.create({ data: { email: 'bench@sluice.local', passwordHash: '!', plan: 'firehose' } });
  const feed = await db.prisma.feed.create({ data: { ownerId: user.id, slug: 'bench', name: 'bench', tlp: 'CLEAR' } });
  const { token } = await createApiToken(db.prisma, { userId: user.id, name: 'bench', scopes: ['submit', 'read'] });

  // The relay drains the outbox while the API writes, as it would in production.
  const log = new DurableLog(db.sql, new MemoryCache(50_000), { retention: { maxAgeMs: 3_600_000, maxLength: 10_000_000 } });
  const relay = startRelay({ engines: { log }, logger: createLogger('silent') });
  const spawnedAt = performance.now();
  const server = await startServer({ DATABASE_URL: url.toString(), LOG_LEVEL: 'info', ROLES: 'web', ...env }, { timeoutMs: 120_000, nodeArgs: serverNodeArgs });
  const pid = server.child.pid!;
  try {
    const post = async (items: typeof raw) => {
      const started = performance.now();
      const res = await fetch(`${server.url}/api/v1/feeds/bench/indicators`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ indicators: items }),
      });
      const body = (await res.json()) as { accepted?: number; error?: unknown };
      if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${JSON.stringify(body)}`);
      return { ms: performance.now() - started, accepted: body.accepted ?? 0 };
    };
    // Warm-up (JIT, connection pool, Next route compilation) on other values.
    for (let i = 0; i < 3; i++) await post(Array.from({ length: BATCH }, (_, k) => ({ value: `warmup-${i}-${k}.bench-warmup.com`, tags: [] })));

    const batches: (typeof raw)[] = [];
    for (let i = 0; i < raw.length; i += BATCH) batches.push(raw.slice(i, i + BATCH));
    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
    const cpu0 = cpuSeconds(pid);
    const dbCpu0 = databaseCpu(dbName);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < batches.length) {
          const r = await post(batches[next++]);
          latencies.push(r.ms);
          accepted += r.accepted;
        }
      }),
    );
    const apiSeconds = (performance.now() - t0) / 1000;
    const window = `${((t0 - spawnedAt) / 1000).toFixed(1)}-${((t0 - spawnedAt) / 1000 + apiSeconds).toFixed(1)}`;
    const cpu = cpuSeconds(pid) - cpu0;
    const mem = memoryMb(pid);
    // The relays (the server's and this process's) move the outbox into the log meanwhile; what is
    // left when the last answer arrives is their lag. The database's CPU is counted until the outbox
    // is empty (the relay's work is part of every accepted indicator's cost), and the ceiling runs
    // only then, on a database nothing else writes to.
    const [{ n: backlog }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`);
    const drain0 = performance.now();
    for (let waited = 0; waited < 300_000; waited += 100) {
      const [{ n }] = await db.sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox`);
      if (n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const drainSeconds = (performance.now() - drain0) / 1000;
    const dbCpu = dbCpu0.stop();
    latencies.sort((a, b) => a - b);
    const apiRate = accepted / apiSeconds;

    const apiLine =
      `batch API:   ${fmt(apiRate)} indicators/s (${fmt(accepted)} accepted in ${apiSeconds.toFixed(2)} s)${env.WARNING_LISTS_DIR ? ' — without warning lists' : ' — with warning lists'}` +
      (PROFILE_DIR ? `\nprofile:     ${PROFILE_DIR}/CPU.*.${pid}.*.cpuprofile — node --import tsx bench/cpuprofile-summary.mts <file> --window ${window}` : '');
    if (!withBaseline) return { rate: apiRate, p50: pct(latencies, 50), lines: [apiLine] };
    // 3. The ceiling: the same normalised rows (indicator, sighting, outbox event) bulk-inserted with
    //    multi-row INSERTs into copies of the tables, in the same database, same run.
    await db.sql.exec(`CREATE TABLE bench_indicators (LIKE indicators INCLUDING ALL);
      CREATE TABLE bench_sightings (LIKE sightings INCLUDING ALL);
      CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL);`);
    const { rate: bulkRate, dbCpu: bulkDbCpu } = await timedBulkInsert(db.sql, dbName, normalised, async (tx, chunk, _offset, now) => {
      await insertIndicatorsAndSightings(tx, 'bench', chunk, { feedId: feed.id, userId: user.id, now });
      await tx.query(
        `INSERT INTO bench_outbox (event_id, payload) SELECT gen_random_uuid(), jsonb_build_object('type', t, 'value', v) FROM unnest($1::text[], $2::text[]) AS x(t, v)`,
        [chunk.map((r) => r.type), chunk.map((r) => r.value)],
      );
    });
    const model = await modelCeiling(db.sql, dbName, normalised, { feedId: feed.id, userId: user.id, foreignKeys: false });
    const modelFk = await modelCeiling(db.sql, dbName, normalised, { feedId: feed.id, userId: user.id, foreignKeys: true });
    const perThousand = (seconds: number, n: number) => `${((seconds * 1e6) / n).toFixed(0)} ms`;
    const ratio = apiRate / bulkRate;
    const p99 = pct(latencies, 99);

    const lines = [
      `sluice ingest benchmark — ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL ${db.location}`,
      `workload: ${fmt(raw.length)} distinct maltrail indicators from ${corpusPath()}, ${BATCH} per request, ${CONCURRENCY} concurrent requests`,
      apiLine,
      `bulk INSERT: ${fmt(bulkRate)} indicators/s (indicator + sighting + outbox rows, multi-row INSERT of ${BULK_CHUNK}, one transaction)`,
      `ratio:       ${ratio.toFixed(2)} of the bulk-insert ceiling`,
      `data model:  ${fmt(model.rate)} indicators/s for every row Sluice keeps per public indicator (${model.rows}), bulk-inserted the same way: ` +
        `the API is ${(apiRate / model.rate).toFixed(2)} of it; PostgreSQL ${perThousand(model.dbCpu, normalised.length)} per 1,000`,
      `  with FKs: ${fmt(modelFk.rate)} indicators/s with the tables' foreign keys (${modelFk.foreignKeys} checks per indicator, one per row): ` +
        `the API is ${(apiRate / modelFk.rate).toFixed(2)} of it; PostgreSQL ${perThousand(modelFk.dbCpu, normalised.length)} per 1,000`,
      `latency:     p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms per ${BATCH}-indicator request`,
      `server:      ${cpu.toFixed(1)} CPU-s for the API phase (${((cpu / apiSeconds) * 100).toFixed(0)}% of one core), RSS ${mem.rss.toFixed(0)} MB, peak ${mem.peak.toFixed(0)} MB`,
      `relay:       ${fmt(backlog)} events still in the outbox after the last answer, moved into the log ${drainSeconds.toFixed(1)} s later${stixNote}`,
      `CPU per 1,000 indicators (load-insensitive): API ${perThousand(cpu + dbCpu, accepted)} = server ${perThousand(cpu, accepted)} + PostgreSQL ${perThousand(dbCpu, accepted)} (ingest and relay); bulk INSERT: PostgreSQL ${perThousand(bulkDbCpu, normalised.length)}`,
      `target (#13): API >= 0.6 of the ceiling: ${ratio >= 0.6 ? 'MET' : 'NOT MET'} (${ratio.toFixed(2)}); p99 < 500 ms per ${BATCH}-indicator request: ${p99 < 500 ? 'MET' : 'NOT MET'} (${p99.toFixed(0)} ms); load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    ];
    return { rate: apiRate, p50: pct(latencies, 50), lines };
  } finally {
    await server.stop();
    await relay.stop();
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

/** Rows per multi-row INSERT in the bulk ceilings. */
const BULK_CHUNK = 5000;

/**
 * Times a bulk ceiling: `writeChunk` for each BULK_CHUNK rows of the workload (`offset`: the chunk's
 * first index), all in one transaction; returns indicators/s and the database's CPU seconds.
 */
async function timedBulkInsert(
  sql: SqlDriver,
  dbName: string,
  normalised: NormalisedRow[],
  writeChunk: (tx: SqlSession, chunk: NormalisedRow[], offset: number, now: string) => Promise<void>,
): Promise<{ rate: number; dbCpu: number }> {
  const cpu0 = databaseCpu(dbName);
  const t0 = performance.now();
  await sql.transaction(async (tx) => {
    for (let offset = 0; offset < normalised.length; offset += BULK_CHUNK) {
      await writeChunk(tx, normalised.slice(offset, offset + BULK_CHUNK), offset, new Date().toISOString());
    }
  });
  return { rate: normalised.length / ((performance.now() - t0) / 1000), dbCpu: cpu0.stop() };
}

type NormalisedRow = { type: string; value: string; port: number | null; tags: string[]; reference: string | null };

/** Both ceilings' first two rows per indicator: `<prefix>_indicators` and `<prefix>_sightings`; returns the indicator ids. */
async function insertIndicatorsAndSightings(
  tx: SqlSession,
  prefix: 'bench' | 'model' | 'modelfk',
  chunk: NormalisedRow[],
  { feedId, userId, now }: { feedId: string; userId: string; now: string },
): Promise<string[]> {
  const ids = await tx.query<{ id: string }>(
    `INSERT INTO ${prefix}_indicators (type, value, first_seen, last_seen, count, public_first_seen, public_last_seen, public_count)
     SELECT t::"IndicatorType", v, $3, $3, 1, $3, $3, 1 FROM unnest($1::text[], $2::text[]) AS x(t, v) RETURNING id::text AS id`,
    [chunk.map((r) => r.type), chunk.map((r) => r.value), now],
  );
  const idList = ids.map((r) => r.id);
  await tx.query(
    `INSERT INTO ${prefix}_sightings (indicator_id, feed_id, reporter_id, is_public, tags, confidence, reference, port, reported_at)
     SELECT i, $2::uuid, $3::uuid, true, string_to_array(g, ','), 50, r, p, $4 FROM unnest($1::bigint[], $5::text[], $6::text[], $7::int[]) AS x(i, g, r, p)`,
    [idList, feedId, userId, now, chunk.map((r) => r.tags.join(',')), chunk.map((r) => r.reference), chunk.map((r) => r.port)],
  );
  return idList;
}

/**
 * The data model's own ceiling: every row a public indicator costs in Sluice, bulk-inserted like the
 * ceiling above (copies of the tables with all their indexes, chunks of 5,000 in one transaction):
 * indicator, sighting, the reporter's row, the outbox event with an event-sized payload, the log
 * entry and, unless BENCH_STIX=off, its two STIX objects (indicator and sighting). No statement
 * logic: what the API does beyond this is its code path; the rest is what the model writes.
 */
async function modelCeiling(
  sql: SqlDriver,
  dbName: string,
  normalised: NormalisedRow[],
  { feedId, userId, foreignKeys }: { feedId: string; userId: string; foreignKeys: boolean },
): Promise<{ rate: number; dbCpu: number; rows: string; foreignKeys: number }> {
  const m = foreignKeys ? 'modelfk' : 'model';
  await sql.exec(`CREATE TABLE ${m}_indicators (LIKE indicators INCLUDING ALL);
    CREATE TABLE ${m}_sightings (LIKE sightings INCLUDING ALL);
    CREATE TABLE ${m}_reporters (LIKE indicator_reporters INCLUDING ALL);
    CREATE TABLE ${m}_outbox (LIKE outbox INCLUDING ALL);
    CREATE TABLE ${m}_log (LIKE firehose_log INCLUDING ALL);
    CREATE TABLE ${m}_stix (LIKE stix_objects INCLUDING ALL);`);
  // The foreign keys the real tables have (LIKE copies none): each is a per-row check at insert.
  const keys = [
    `ALTER TABLE ${m}_sightings ADD FOREIGN KEY (indicator_id) REFERENCES ${m}_indicators(id), ADD FOREIGN KEY (feed_id) REFERENCES feeds(id), ADD FOREIGN KEY (reporter_id) REFERENCES users(id)`,
    `ALTER TABLE ${m}_reporters ADD FOREIGN KEY (indicator_id) REFERENCES ${m}_indicators(id), ADD FOREIGN KEY (reporter_id) REFERENCES users(id)`,
    ...(STIX_OFF ? [] : [`ALTER TABLE ${m}_stix ADD FOREIGN KEY (indicator_id) REFERENCES ${m}_indicators(id), ADD FOREIGN KEY (feed_id) REFERENCES feeds(id)`]),
  ];
  if (foreignKeys) for (const statement of keys) await sql.exec(statement);
  const timed = await timedBulkInsert(sql, dbName, normalised, async (tx, chunk, offset, now) => {
    const idList = await insertIndicatorsAndSightings(tx, m, chunk, { feedId, userId, now });
    await tx.query(`INSERT INTO ${m}_reporters (indicator_id, reporter_id, last_at, public) SELECT i, $2::uuid, $3, true FROM unnest($1::bigint[]) AS x(i)`, [idList, userId, now]);
    // An event as the API writes it (the same fields, its id also the outbox row's), built once per
    // row; the log entry is that payload's text, as the relay moves it.
    await tx.query(
      `WITH e AS MATERIALIZED (
         SELECT x.o, jsonb_build_object('id', gen_random_uuid(), 'kind', 'new',
           'indicator', jsonb_build_object('type', t, 'value', v, 'tags', to_jsonb(string_to_array(g, ',')), 'confidence', 50, 'firstSeen', $3::text,
             'lastSeen', $3::text, 'count', 1, 'reporters', 1, 'warnings', '[]'::jsonb),
           'expiresAt', $3::text, 'feed', jsonb_build_object('slug', 'bench', 'owner', $4::text), 'reportedAt', $3::text) AS payload
         FROM unnest($1::text[], $2::text[], $5::text[]) WITH ORDINALITY AS x(t, v, g, o)
       ), outboxed AS (
         INSERT INTO ${m}_outbox (event_id, payload) SELECT (payload->>'id')::uuid, payload FROM e
       )
       INSERT INTO ${m}_log (position, data) SELECT $6::bigint + o, payload::text FROM e`,
      [chunk.map((r) => r.type), chunk.map((r) => r.value), now, userId, chunk.map((r) => r.tags.join(',')), offset],
    );
    if (!STIX_OFF) {
      await tx.query(
        `INSERT INTO ${m}_stix (seq, indicator_id, feed_id, log_position, date_added, created, modified, first_seen, last_seen, count, confidence, labels)
         SELECT $4::bigint + 2 * o + k, i, CASE WHEN k = 1 THEN $2::uuid END, $4::bigint + o, clock_timestamp() + (2 * o + k) * interval '1 microsecond',
           $3, $3, $3, $3, 1, 50, ARRAY[]::text[]
         FROM unnest($1::bigint[]) WITH ORDINALITY AS x(i, o) CROSS JOIN (VALUES (0), (1)) AS kinds(k)`,
        [idList, feedId, now, 2 * offset],
      );
    }
  });
  return {
    ...timed,
    rows: STIX_OFF ? 'indicator, sighting, reporter, outbox event, log entry' : 'indicator, sighting, reporter, outbox event, log entry, 2 STIX objects',
    // Per indicator: 3 on its sighting, 2 on its reporter row, 3 on its STIX objects (the indicator
    // object's feed_id is NULL: not checked).
    foreignKeys: STIX_OFF ? 5 : 8,
  };
}

// DROP DATABASE … WITH (FORCE) ends connections a closed pool may still hold: not a failure here.
process.on('uncaughtException', (error: Error & { code?: string }) => {
  if (error.code === '57P01') return;
  console.error(error);
  process.exit(1);
});

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
