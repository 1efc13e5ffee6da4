// Ingest benchmark: indicators/s through the batch API (HTTP, a real node, PostgreSQL) against the
// ceiling of a bulk multi-row INSERT of the same normalised rows into the same database, in the
// same run. Prints both, the ratio, p50/p99 request latency, and the server's CPU and RSS.
//
//   node --import tsx bench/ingest.mts        (BENCH_DATABASE_URL, BENCH_N, BENCH_BATCH, BENCH_CONCURRENCY)
import { readFileSync } from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { openDatabase } from '../lib/db/index.ts';
import { DurableLog } from '../lib/engines/log/durable-log.ts';
import { MemoryCache } from '../lib/engines/log/memory-cache.ts';
import { parseIndicator, checkNeverPublish, compileAllowList } from '../lib/indicators/index.ts';
import { createLogger } from '../lib/logger.ts';
import { createApiToken } from '../lib/tokens.ts';
import { startRelay } from '../server/relay.ts';
import { startServer } from '../tests/helpers/server-process.ts';
import { corpusPath, readTrails } from './maltrail.mts';

const BASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const N = Number(process.env.BENCH_N ?? 100_000);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (USER_HZ=100)
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
  const normalised: { type: string; value: string; port: number | null; tags: string[]; reference: string | null }[] = [];
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

  // 2. A scratch database with one user, token and public feed.
  const dbName = `sluice_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: BASE_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(BASE_URL);
  url.pathname = `/${dbName}`;
  const db = await openDatabase({ DATABASE_URL: url.toString(), DATA_DIR: './data' });
  const user = await db.prisma.user.create({ data: { email: 'bench@sluice.local', passwordHash: '!', plan: 'firehose' } });
  const feed = await db.prisma.feed.create({ data: { ownerId: user.id, slug: 'bench', name: 'bench', tlp: 'CLEAR' } });
  const { token } = await createApiToken(db.prisma, { userId: user.id, name: 'bench', scopes: ['submit', 'read'] });

  // The relay drains the outbox while the API writes, as it would in production.
  const log = new DurableLog(db.sql, new MemoryCache(50_000), { retention: { maxAgeMs: 3_600_000, maxLength: 10_000_000 } });
  const relay = startRelay({ engines: { log }, logger: createLogger('silent') });
  const server = await startServer({ DATABASE_URL: url.toString(), LOG_LEVEL: 'info', ROLES: 'web' }, { timeoutMs: 120_000 });
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
    const cpu = cpuSeconds(pid) - cpu0;
    const mem = memoryMb(pid);
    latencies.sort((a, b) => a - b);
    const apiRate = accepted / apiSeconds;

    // 3. The ceiling: the same normalised rows (indicator, sighting, outbox event) bulk-inserted with
    //    multi-row INSERTs into copies of the tables, in the same database, same run.
    await db.sql.exec(`CREATE TABLE bench_indicators (LIKE indicators INCLUDING ALL);
      CREATE TABLE bench_sightings (LIKE sightings INCLUDING ALL);
      CREATE TABLE bench_outbox (LIKE outbox INCLUDING ALL);`);
    const CHUNK = 5000;
    const b0 = performance.now();
    await db.sql.transaction(async (tx) => {
      for (let i = 0; i < normalised.length; i += CHUNK) {
        const chunk = normalised.slice(i, i + CHUNK);
        const now = new Date().toISOString();
        const ids = await tx.query<{ id: string }>(
          `INSERT INTO bench_indicators (type, value, first_seen, last_seen, count, public_first_seen, public_last_seen, public_count)
           SELECT t::"IndicatorType", v, $3, $3, 1, $3, $3, 1 FROM unnest($1::text[], $2::text[]) AS x(t, v) RETURNING id::text AS id`,
          [chunk.map((r) => r.type), chunk.map((r) => r.value), now],
        );
        await tx.query(
          `INSERT INTO bench_sightings (indicator_id, feed_id, reporter_id, is_public, tags, confidence, reference, port, reported_at)
           SELECT i, $2::uuid, $3::uuid, true, string_to_array(g, ','), 50, r, p, $4 FROM unnest($1::bigint[], $5::text[], $6::text[], $7::int[]) AS x(i, g, r, p)`,
          [ids.map((r) => r.id), feed.id, user.id, now, chunk.map((r) => r.tags.join(',')), chunk.map((r) => r.reference), chunk.map((r) => r.port)],
        );
        await tx.query(
          `INSERT INTO bench_outbox (event_id, payload) SELECT gen_random_uuid(), jsonb_build_object('type', t, 'value', v) FROM unnest($1::text[], $2::text[]) AS x(t, v)`,
          [chunk.map((r) => r.type), chunk.map((r) => r.value)],
        );
      }
    });
    const bulkSeconds = (performance.now() - b0) / 1000;
    const bulkRate = normalised.length / bulkSeconds;

    const results = [
      `sluice ingest benchmark — ${os.cpus().length} CPUs, Node ${process.version}, PostgreSQL ${db.location}`,
      `workload: ${fmt(raw.length)} distinct maltrail indicators from ${corpusPath()}, ${BATCH} per request, ${CONCURRENCY} concurrent requests`,
      `batch API:   ${fmt(apiRate)} indicators/s (${fmt(accepted)} accepted in ${apiSeconds.toFixed(2)} s)`,
      `bulk INSERT: ${fmt(bulkRate)} indicators/s (indicator + sighting + outbox rows, multi-row INSERT of ${CHUNK}, one transaction)`,
      `ratio:       ${(apiRate / bulkRate).toFixed(2)} of the bulk-insert ceiling`,
      `latency:     p50 ${pct(latencies, 50).toFixed(0)} ms, p99 ${pct(latencies, 99).toFixed(0)} ms per ${BATCH}-indicator request`,
      `server:      ${cpu.toFixed(1)} CPU-s for the API phase (${((cpu / apiSeconds) * 100).toFixed(0)}% of one core), RSS ${mem.rss.toFixed(0)} MB, peak ${mem.peak.toFixed(0)} MB`,
    ];
    console.log(results.join('\n'));
  } finally {
    await server.stop();
    await relay.stop();
    await db.close();
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
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
