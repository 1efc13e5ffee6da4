// Public pages benchmark: requests/s and p50/p99 latency for /threats, /threats.json, the exports
// and blocklists (/api/v1/exports/*, also a poller's 304), /feeds and search, with autocannon at a
// fixed concurrency, against a small static file from public/ served by the same server (the
// ceiling), in one run. Prints one table. Bodies of 100 KB or more are also compared with a bare Node
// server sending the same bytes (the load client's ceiling for them).
//
//   npm run build && node --import tsx bench/pages.mts
//     BENCH_URL            benchmark a running server instead (no seeding)
//     BENCH_DATABASE_URL   seed a scratch PostgreSQL database (default: embedded PGlite in a temp dir)
//     BENCH_ROWS           maltrail rows to seed (default 20,000), reported over the last 24 hours
//     BENCH_CONNECTIONS    concurrent connections (default 10)
//     BENCH_DURATION       seconds per target (default 10)
//     BENCH_SNAPSHOT_MS    PUBLIC_SNAPSHOT_INTERVAL_MS of the node (default: the node's, 2000; 0: render per request)
//     BENCH_NODE_ARGS      extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
//     BENCH_BEFORE=0       skip the first phase: static, /threats and /threats.json on a node that
//                          renders every request (PUBLIC_SNAPSHOT_INTERVAL_MS=0), same seed, same run
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { openDatabase } from '../lib/db/index.ts';
import { allowListFromConfig, ingestIndicators } from '../lib/ingest/index.ts';
import { readTrails } from './maltrail.mts';

interface AutocannonResult {
  requests: { average: number; total?: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  totalRequests?: number;
}
type Autocannon = (opts: { url: string; connections: number; duration: number; pipelining?: number; headers?: Record<string, string> }) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 10);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const ROWS = Number(process.env.BENCH_ROWS ?? 20_000);
const TAG_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._:/+#@&$()'-]*$/u;

/** Seeds public feeds from maltrail through the one ingest function, spread over the last 24 h. */
async function seed(env: Record<string, string>): Promise<number> {
  const db = await openDatabase({ DATABASE_URL: env.DATABASE_URL, DATA_DIR: env.DATA_DIR ?? './data' });
  try {
    const user = await db.prisma.user.create({ data: { email: 'bench@sluice.local', passwordHash: '!', name: 'bench' }, select: { id: true } });
    const deps = { sql: db.sql, allowList: allowListFromConfig({ NEVER_PUBLISH_DOMAINS: [], NEVER_PUBLISH_NETWORKS: [] }) };
    const feeds = new Map<string, unknown[]>();
    let accepted = 0;
    let i = 0;
    const flush = async (slug: string) => {
      const items = feeds.get(slug) ?? [];
      if (!items.length) return;
      feeds.set(slug, []);
      accepted += (await ingestIndicators(deps, { ownerId: user.id, feed: slug, items })).accepted;
    };
    for await (const row of readTrails(ROWS)) {
      const slug = `maltrail-${(row.category || 'other').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'other'}`.slice(0, 64);
      if (!feeds.has(slug)) {
        await db.prisma.feed.create({ data: { ownerId: user.id, slug, name: `maltrail ${row.category}`, tlp: 'CLEAR' } });
        feeds.set(slug, []);
      }
      const tags = [row.category, row.family].filter((t): t is string => typeof t === 'string' && t.length <= 64 && TAG_RE.test(t));
      const reportedAt = new Date(Date.now() - ((i++ * 7919) % 86_400) * 1000).toISOString();
      feeds.get(slug)!.push({ value: row.value, tags, confidence: 70, reportedAt });
      if (feeds.get(slug)!.length >= 1000) await flush(slug);
    }
    for (const slug of feeds.keys()) await flush(slug);
    return accepted;
  } finally {
    await db.close();
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** A production node with request logging off (LOG_LEVEL=warn), ready when /api/health answers. */
async function startNode(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/index.mts'], {
    cwd: path.resolve(import.meta.dirname, '..'),
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return { url, child };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill();
  throw new Error('server did not start within 120 s');
}

interface Target {
  name: string;
  path: string;
  revalidate?: boolean;
  /** Sent with every request, e.g. accept-encoding (autocannon sends none by default). */
  headers?: Record<string, string>;
}
interface Row {
  name: string;
  /** Bytes of one response body as sent (compressed when the target asks for it). */
  bytes: number;
  /** That body (empty for a 304 row). */
  body: Buffer;
  /** The server process's CPU time (user + system, /proc) per request, in µs; null without a pid. */
  cpuUs: number | null;
  rps: number;
  p50: number;
  p99: number;
  bad: number;
}

async function stopNode(server: { child: ChildProcess }): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((r) => server.child.once('exit', r));
  server.child.kill('SIGTERM');
  await exited;
}

/** CPU time (user + system) of a process so far, in µs, from /proc (clock ticks of 10 ms). */
function cpuTimeUs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // utime, stime (fields 14 and 15 of stat)
}

/** Warms every target up, then autocannon on each in turn; `pid`: the server's, for CPU per request. */
async function measure(baseUrl: string, targets: Target[], pid?: number): Promise<Row[]> {
  const etags = new Map<string, string>();
  const bodies = new Map<Target, Buffer>();
  for (const t of targets) {
    // The body as sent (gzip left compressed), which a size-bound row's same-bytes ceiling serves too.
    const res = await rawResponse(baseUrl + t.path, t.headers);
    if (res.status !== 200) throw new Error(`${t.path}: HTTP ${res.status}`);
    bodies.set(t, res.body);
    const etag = res.etag;
    if (t.revalidate && etag) etags.set(t.path, etag);
    await autocannon({ url: baseUrl + t.path, connections: CONNECTIONS, duration: 2, headers: t.headers }); // warm-up
  }
  const rows: Row[] = [];
  for (const t of targets) {
    // A poller's revalidation: If-None-Match with the ETag it holds, answered 304 (not an error here).
    const headers = t.revalidate ? { ...t.headers, 'if-none-match': etags.get(t.path) ?? '' } : t.headers;
    const cpuBefore = pid ? cpuTimeUs(pid) : 0;
    const r = await autocannon({ url: baseUrl + t.path, connections: CONNECTIONS, duration: DURATION, headers });
    const total = requestCount(r);
    const cpuUs = pid && total ? (cpuTimeUs(pid) - cpuBefore) / total : null;
    const body = t.revalidate ? Buffer.alloc(0) : (bodies.get(t) ?? Buffer.alloc(0));
    rows.push({ name: t.name, bytes: body.length, body, cpuUs, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, bad: (t.revalidate ? 0 : r.non2xx) + r.errors + r.timeouts });
  }
  return rows;
}

/** Bodies from this size up are bounded by their bytes: they are also compared with a same-bytes ceiling. */
const SIZE_BOUND_BYTES = 100_000;

/** A bare server answering with one row's exact bytes: its requests/s and CPU per request (µs). */
interface SameBytes {
  rps: number;
  cpuUs: number;
}

/** One answer as sent: status, ETag and body (gzip left compressed: fetch would inflate it). */
function rawResponse(url: string, headers: Record<string, string> = {}): Promise<{ status: number; etag: string | null; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, etag: (res.headers.etag as string | undefined) ?? null, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Requests autocannon completed in a run (older versions report only the average). */
const requestCount = (r: AutocannonResult) => r.requests.total ?? r.totalRequests ?? r.requests.average * DURATION;

/**
 * For each row whose body is SIZE_BOUND_BYTES or more: requests/s of a bare Node HTTP server, in its
 * own process, answering every request with that row's exact bytes (gzip too), same load client and
 * concurrency. That is what the client and loopback allow for those bytes: the row's ceiling is the
 * lower of it and the static file's. (Autocannon reads ~18,000 answers/s of 223 KB of text
 * but only ~400/s of 223 KB of gzip or random bytes, from any server.) Keyed by row name.
 */
async function sameBytesCeilings(rows: Row[]): Promise<Map<string, SameBytes>> {
  const ceilings = new Map<string, SameBytes>();
  const dir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-same-bytes-'));
  try {
    for (const row of rows) {
      if (row.bytes < SIZE_BOUND_BYTES) continue;
      const file = path.join(dir, 'body');
      await writeFile(file, row.body);
      const script =
        `const body = require('node:fs').readFileSync(${JSON.stringify(file)});` +
        `const s = require('node:http').createServer((q, r) => { r.writeHead(200, { 'content-length': String(body.length) }); r.end(body); });` +
        `s.listen(0, '127.0.0.1', () => console.log(s.address().port));`;
      const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      try {
        const port = await new Promise<string>((resolve, reject) => {
          child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()));
          child.once('exit', () => reject(new Error('the same-bytes server exited')));
        });
        const url = `http://127.0.0.1:${port}/`;
        await autocannon({ url, connections: CONNECTIONS, duration: 2 }); // warm-up
        const cpuBefore = cpuTimeUs(child.pid!);
        const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION });
        ceilings.set(row.name, { rps: r.requests.average, cpuUs: (cpuTimeUs(child.pid!) - cpuBefore) / requestCount(r) });
      } finally {
        await stopNode({ child });
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return ceilings;
}

/**
 * The table, ratios against the first row (the static file of the same phase); `sameBytes`: the
 * ceilings of the size-bound rows (sameBytesCeilings), which those rows are judged against instead.
 */
function print(rows: Row[], sameBytes = new Map<string, SameBytes>()): void {
  const ceiling = rows[0].rps;
  // CPU µs/req: the server's own CPU per request, which the machine's load barely moves (unlike
  // req/s); "cpu of static" = the static file's CPU per request ÷ this row's (100 % = as cheap).
  const cpuStatic = rows[0].cpuUs;
  console.log(
    `${'target'.padEnd(32)} ${'bytes'.padStart(9)} ${'req/s'.padStart(9)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'errors'.padStart(7)} ${'of static'.padStart(10)} ${'CPU µs/req'.padStart(11)} ${'cpu of static'.padStart(14)}`,
  );
  for (const r of rows) {
    const cpu = r.cpuUs === null ? '–' : Math.round(r.cpuUs).toLocaleString('en-US');
    const cpuRatio = r.cpuUs && cpuStatic ? `${Math.round((cpuStatic / r.cpuUs) * 100)}%` : '–';
    console.log(
      `${r.name.padEnd(32)} ${r.bytes.toLocaleString('en-US').padStart(9)} ${Math.round(r.rps).toLocaleString('en-US').padStart(9)} ${String(r.p50).padStart(8)} ${String(r.p99).padStart(8)} ${String(r.bad).padStart(7)} ${`${Math.round((r.rps / ceiling) * 100)}%`.padStart(10)} ${cpu.padStart(11)} ${cpuRatio.padStart(14)}`,
    );
  }
  // Issue #13: /threats and /threats.json at ≥ 50 % of the static ceiling of the same run, p99 < 50 ms.
  for (const r of [rows[1], rows[2]]) {
    const met = r.rps >= ceiling * 0.5 && r.p99 < 50;
    console.log(`target ${r.name}: ≥ 50 % of static and p99 < 50 ms: ${met ? 'met' : 'NOT met'} (${Math.round((r.rps / ceiling) * 100)} %, p99 ${r.p99} ms)`);
  }
  // Issue #13, second part: an export (and /feeds, a search) costs about what a static file costs:
  // here ≥ 50 % of the static file's requests/s. Bodies of hundreds of KB are bounded by their bytes
  // (the bytes column): their gzip rows are what a poller sending Accept-Encoding gets.
  const rest = rows.slice(3);
  if (rest.length) {
    // A size-bound row's ceiling is the lower of the static file's and a bare server's sending the
    // same bytes: neither Sluice's static path nor the client reading those bytes can be beaten.
    const ceilingOf = (r: Row) => Math.min(ceiling, sameBytes.get(r.name)?.rps ?? Infinity);
    for (const r of rest.filter((row) => sameBytes.has(row.name))) {
      const same = sameBytes.get(r.name)!;
      console.log(
        `same-bytes ceiling for ${r.name}: a bare Node server sending its ${r.bytes.toLocaleString('en-US')} bytes does ${Math.round(same.rps).toLocaleString('en-US')} req/s ` +
          `with ${Math.round(same.cpuUs)} µs of CPU per request; this row ${Math.round((r.rps / same.rps) * 100)} % of its req/s`,
      );
    }
    const missed = rest.filter((r) => r.rps < ceilingOf(r) * 0.5);
    console.log(
      `target exports, /feeds, search: ≥ 50 % of static req/s (from ${SIZE_BOUND_BYTES.toLocaleString('en-US')} bytes: of the lower of that and the same-bytes ceiling): ${missed.length ? `NOT met for ${missed.map((r) => `${r.name} (${Math.round((r.rps / ceilingOf(r)) * 100)} %, ${r.bytes.toLocaleString('en-US')} bytes)`).join(', ')}` : 'met for every row'}`,
    );
    if (cpuStatic) {
      // Sending megabytes costs CPU in any server: a size-bound row may cost twice the higher of the two.
      const costly = rest.filter((r) => r.cpuUs !== null && r.cpuUs > Math.max(cpuStatic, sameBytes.get(r.name)?.cpuUs ?? 0) * 2);
      console.log(
        `target exports, /feeds, search: ≤ 2× the static file's server CPU per request (or the same-bytes server's, when higher): ${costly.length ? `NOT met for ${costly.map((r) => `${r.name} (${Math.round(r.cpuUs!)} µs, ${r.bytes.toLocaleString('en-US')} bytes)`).join(', ')}` : 'met for every row'}`,
      );
    }
  }
}

async function main() {
  let server: { url: string; child: ChildProcess } | null = null;
  let cleanup = async () => {};
  let baseUrl = process.env.BENCH_URL;
  let seeded = 0;
  let nodeEnv: Record<string, string> | null = null;
  if (!baseUrl) {
    let env: Record<string, string>;
    if (process.env.BENCH_DATABASE_URL) {
      const admin = process.env.BENCH_DATABASE_URL;
      const name = `sluice_bench_pages_${Date.now().toString(36)}`;
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`CREATE DATABASE ${name}`);
      await c.end();
      const url = new URL(admin);
      url.pathname = `/${name}`;
      env = { DATABASE_URL: url.toString() };
      cleanup = async () => {
        const d = new pg.Client({ connectionString: admin });
        await d.connect();
        await d.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await d.end();
      };
    } else {
      const dir = await mkdtemp(path.join(tmpdir(), 'sluice-bench-pages-'));
      env = { DATA_DIR: dir };
      cleanup = () => rm(dir, { recursive: true, force: true });
    }
    const started = Date.now();
    seeded = await seed(env);
    console.log(`seeded ${seeded.toLocaleString('en-US')} public sightings in ${((Date.now() - started) / 1000).toFixed(1)} s (${env.DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite'})`);
    nodeEnv = { ...env, REDIS_PREFIX: `sluice-bench-${process.pid}:`, PUBLIC_STREAM_DELAY_SECONDS: '0', EXPORTS_ANONYMOUS_PER_MINUTE: '0', EXPORTS_FREE_DELAY_SECONDS: '0' };
  }
  try {
    const targets: Target[] = [
      { name: 'static /bench.txt (ceiling)', path: '/bench.txt' },
      { name: 'page /threats', path: '/threats' },
      { name: 'export /threats.json', path: '/threats.json' },
      { name: 'exports ipv4.txt', path: '/api/v1/exports/ipv4.txt' },
      { name: 'exports domain.txt ≥50', path: '/api/v1/exports/domain.txt?minConfidence=50' },
      { name: 'exports indicators.json', path: '/api/v1/exports/indicators.json' },
      { name: 'exports suricata.rules', path: '/api/v1/exports/suricata.rules' },
      { name: 'exports suricata.rules gzip', path: '/api/v1/exports/suricata.rules', headers: { 'accept-encoding': 'gzip' } },
      { name: 'exports indicators.json gzip', path: '/api/v1/exports/indicators.json', headers: { 'accept-encoding': 'gzip' } },
      { name: 'exports rpz.zone 304', path: '/api/v1/exports/rpz.zone', revalidate: true },
      { name: 'page /feeds', path: '/feeds' },
      { name: 'page /threats/search?q=', path: '/threats/search?q=example' },
    ];
    const header = (url: string) =>
      console.log(`\n${CONNECTIONS} connections, ${DURATION} s per target, ${url}${seeded ? `, ${seeded.toLocaleString('en-US')} sightings seeded` : ''}\n`);
    if (nodeEnv && process.env.BENCH_BEFORE !== '0') {
      // Before: the same seed, a node that renders every request (no snapshots), same run.
      server = await startNode({ ...nodeEnv, PUBLIC_SNAPSHOT_INTERVAL_MS: '0' });
      const before = await measure(server.url, targets.slice(0, 3), server.child.pid);
      await stopNode(server);
      server = null;
      header('PUBLIC_SNAPSHOT_INTERVAL_MS=0 (a render per request)');
      print(before);
    }
    if (nodeEnv) {
      server = await startNode({ ...nodeEnv, ...(process.env.BENCH_SNAPSHOT_MS ? { PUBLIC_SNAPSHOT_INTERVAL_MS: process.env.BENCH_SNAPSHOT_MS } : {}) });
      baseUrl = server.url;
    }
    const rows = await measure(baseUrl!, targets, server?.child.pid);
    header(`${baseUrl} (PUBLIC_SNAPSHOT_INTERVAL_MS=${process.env.BENCH_SNAPSHOT_MS ?? 'default'})`);
    print(rows, await sameBytesCeilings(rows));
  } finally {
    if (server) await stopNode(server);
    await cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
