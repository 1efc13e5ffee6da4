// The installable CLI (packages/cli): `npm pack` builds one self-contained file (scripts/build-cli.mjs)
// and packs it; the tarball, installed with `npm install -g` into a temporary prefix far from this
// repository — no node_modules anywhere above it, no tsx — runs as `sluice` against a real node:
// --help, submit, check, export, webhook list, and both stream transports (socket.io and NDJSON).
// `submit` also goes through a real HTTP proxy that loses one answer and refuses one batch.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '@/tests/helpers/fixtures';
import { startServer, type ServerProcess } from '@/tests/helpers/server-process';
import { createTestDatabase, createTestEngines, deleteRedisPrefix, type TestDatabase } from '@/tests/helpers/test-env';
import { until } from '@/tests/helpers/wait';

const ROOT = path.resolve(import.meta.dirname, '../..');
const run = promisify(execFile);

let work: string;
let tarball: string;
let bin: string;
let t: TestDatabase;
let engines: ReturnType<typeof createTestEngines>;
let server: ServerProcess;
let token: string;
let readOnly: string;

/** Only what a user's shell has: no NODE_PATH, no NODE_OPTIONS (tsx), HOME in the temporary directory. */
const env = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work, NODE_ENV: 'production', ...extra });

function sluice(args: string[], { input, token: tk = token, url = server.url }: { input?: string; token?: string; url?: string } = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(bin, args, { cwd: work, env: env({ SLUICE_URL: url, SLUICE_TOKEN: tk }) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'sluice-cli-pack-'));
  // Nothing above the install may provide modules: the bin must carry everything it needs.
  for (let dir = work; dir !== path.dirname(dir); dir = path.dirname(dir)) expect(existsSync(path.join(dir, 'node_modules')), dir).toBe(false);
  // `npm pack` runs the package's prepack: the bundle is built from the sources now.
  const packed = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: path.join(ROOT, 'packages/cli'), env: { ...process.env, npm_config_loglevel: 'error' } });
  const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  expect(info.files.map((f) => f.path).sort()).toEqual(['README.md', 'dist/THIRD-PARTY-LICENSES.txt', 'dist/sluice.mjs', 'package.json']);
  tarball = path.join(work, info.filename);
  const prefix = path.join(work, 'prefix');
  await run('npm', ['install', '--global', '--prefix', prefix, tarball, '--offline', '--no-audit', '--no-fund'], { cwd: work, env: env() });
  bin = path.join(prefix, 'bin', 'sluice');

  t = await createTestDatabase();
  engines = createTestEngines(t.db);
  const alice = await createAccount(t.db.prisma, { plan: 'firehose', scopes: ['read', 'submit', 'stream'], feeds: [{ slug: 'honeypot' }] });
  token = alice.token;
  readOnly = (await createAccount(t.db.prisma, { plan: 'free', scopes: ['read'] })).token;
  if (t.db.kind === 'embedded') await t.db.close();
  server = await startServer({ ...t.env, ...engines.env, PUBLIC_STREAM_DELAY_SECONDS: '0' }, { timeoutMs: 240_000 });
}, 400_000);

afterAll(async () => {
  await server?.stop();
  await deleteRedisPrefix(engines);
  await engines?.close();
  await t?.drop().catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed sluice-cli', () => {
  it('is one file with no dependencies, installed without node_modules of its own', async () => {
    const installed = path.join(work, 'prefix/lib/node_modules/sluice-cli');
    const pkg = JSON.parse(await readFile(path.join(installed, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg).toMatchObject({ name: 'sluice-cli', bin: { sluice: 'dist/sluice.mjs' }, type: 'module' });
    expect(pkg.dependencies).toBeUndefined();
    expect((await readdir(installed)).sort()).toEqual(['README.md', 'dist', 'package.json']);
    // The bundle imports nothing but Node's own modules.
    const code = await readFile(path.join(installed, 'dist/sluice.mjs'), 'utf8');
    const imports = [...code.matchAll(/^import .* from ["']([^"']+)["'];?$/gm)].map((m) => m[1]);
    expect(imports.filter((spec) => !spec.startsWith('node:'))).toEqual([]);
  });

  it('prints its help and version, without the operator commands', async () => {
    const help = await sluice(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['stream', 'submit', 'check', 'export', 'webhook']) expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(help.stdout).not.toMatch(/^ {2}admin /m);
    const version = await sluice(['--version']);
    expect(version.stdout.trim()).toBe(JSON.parse(await readFile(path.join(ROOT, 'packages/cli/package.json'), 'utf8')).version);
    const unknown = await sluice(['admin', 'user', 'list']);
    expect(unknown.code).not.toBe(0);
  });

  it('submits, checks, exports and lists webhooks against a real node, with the documented exit codes', async () => {
    const submitted = await sluice(['submit', 'honeypot', '-'], { input: '# a comment\nfirst.example-cli-pack.net\nhxxp://second[.]example-cli-pack.net/login\nnot an indicator\n' });
    expect(submitted.stdout).toBe('2 accepted, 1 rejected\n');
    expect(submitted.stderr).toMatch(/^rejected line 4: /m); // the input's own line number: the comment counts
    expect(submitted.code).toBe(0);

    const known = await sluice(['check', 'first.example-cli-pack.net']);
    expect(known.code, known.stderr).toBe(0);
    expect(known.stdout).toMatch(/^domain first\.example-cli-pack\.net: KNOWN\n {2}first seen: .*\n {2}last seen: .*\n {2}sightings: {2}1\n {2}tags: .*\n {2}feeds: {6}honeypot\n$/);
    const json = await sluice(['check', '--json', 'hxxp://second[.]example-cli-pack.net/login']);
    expect(JSON.parse(json.stdout)).toMatchObject({ known: true, indicator: { type: 'url', value: 'http://second.example-cli-pack.net/login' } });
    expect((await sluice(['check', 'never.example-cli-pack.net'])).stdout).toBe('never.example-cli-pack.net: not known to Sluice\n');

    const txt = await sluice(['export', '--format', 'txt']);
    expect(txt.code).toBe(0);
    // (and what the analyzers derived from them, e.g. the URL's domain)
    expect(txt.stdout.split('\n')).toEqual(expect.arrayContaining(['first.example-cli-pack.net', 'http://second.example-cli-pack.net/login']));
    expect((await sluice(['webhook', 'list'])).stdout).toMatch(/^no webhooks/);

    const refused = await sluice(['check', 'first.example-cli-pack.net'], { token: 'slc_not_a_real_token' });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/^sluice: invalid_token: /);
    const noScope = await sluice(['submit', 'honeypot', '-'], { input: 'x.example-cli-pack.net\n', token: readOnly });
    expect(noScope.code).toBe(3);
    expect(noScope.stderr).toMatch(/scope_required/);
    expect((await sluice(['check', 'x'], { token: '' })).code).toBe(2); // no token at all: usage
  });

  it('streams over socket.io and over NDJSON', { timeout: 120_000 }, async () => {
    const streams = ['socketio', 'ndjson'].map((transport) => {
      const child = spawn(bin, ['stream', '--transport', transport, '--types', 'domain', '--limit', '1'], { cwd: work, env: env({ SLUICE_URL: server.url, SLUICE_TOKEN: token }) });
      const out = { lines: [] as string[], stderr: '', code: null as number | null };
      createInterface({ input: child.stdout }).on('line', (line) => out.lines.push(line));
      child.stderr.on('data', (d: Buffer) => (out.stderr += d));
      const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve((out.code = code))));
      return { child, out, exited };
    });
    try {
      await until(() => streams.every((s) => /streaming/.test(s.out.stderr) || s.out.code !== null), 60_000, 'both streams to connect');
      for (const s of streams) expect(s.out.code, s.out.stderr).toBeNull();
      const sent = await sluice(['submit', 'honeypot', '-'], { input: 'streamed.example-cli-pack.net\n' });
      expect(sent.stdout).toBe('1 accepted, 0 rejected\n');
      for (const s of streams) {
        expect(await s.exited, s.out.stderr).toBe(0);
        expect(s.out.lines).toHaveLength(1);
        expect(JSON.parse(s.out.lines[0])).toMatchObject({ kind: 'new', indicator: { type: 'domain', value: 'streamed.example-cli-pack.net' }, feed: { slug: 'honeypot' } });
      }
    } finally {
      for (const s of streams) s.child.kill();
    }
  });

  it('submits a large input in batches under the body limit, resends a batch whose answer was lost with the same Idempotency-Key, and says how to resume after a refusal', { timeout: 180_000 }, async () => {
    // 1,300 URLs of ~1.6 KB: 2 MB in all, so one batch of the 1,000 items the API allows would exceed its
    // 1 MB body; under the bound they go as three batches of at most ~630.
    const lines = Array.from({ length: 1300 }, (_, i) => `http://batch-${i}.example-cli-pack.net/${'p'.repeat(1600)}`);
    const file = path.join(work, 'long-urls.txt');
    await writeFile(file, `# exported by a honeypot\n${lines.join('\n')}\n`);
    const proxy = await submissionProxy(server.url, { loseAnswerOf: 2 });
    try {
      const sent = await sluice(['submit', 'honeypot', file], { url: proxy.url });
      expect(sent.code, sent.stderr).toBe(0);
      expect(sent.stdout).toBe(`${lines.length} accepted, 0 rejected\n`);
      expect(sent.stderr).toMatch(/sending again in .* \(same Idempotency-Key\)/);
      const posts = proxy.posts;
      expect(posts.length).toBeGreaterThanOrEqual(4); // ≥ 3 batches, plus the one sent again
      for (const post of posts) expect(post.bytes).toBeLessThanOrEqual(1024 * 1024);
      expect(posts[2].key).toBe(posts[1].key); // the lost answer's batch, sent again with its key …
      expect(posts[2].replayed).toBe('true'); // … got the stored answer: ingested once
      expect(new Set(posts.map((p) => p.key)).size).toBe(posts.length - 1);
    } finally {
      await proxy.close();
    }
    // A value of the batch whose answer was lost (batches of ~630 of these lines) was counted once.
    const checked = await fetch(`${server.url}/api/v1/check/${encodeURIComponent(lines[1000])}`, { headers: { authorization: `Bearer ${token}` } });
    expect(((await checked.json()) as { sightings: number }).sightings).toBe(1);

    // A batch refused for good stops the command; what came before is committed and the hint resumes after it.
    const second = lines.map((line) => line.replace('batch-', 'resume-'));
    const file2 = path.join(work, 'resume.txt');
    await writeFile(file2, `${second.join('\n')}\n`);
    const refusing = await submissionProxy(server.url, { refuse: 2 });
    let hint: string;
    try {
      const failed = await sluice(['submit', 'honeypot', file2], { url: refusing.url });
      expect(failed.code).toBe(2);
      const match = /lines 1–(\d+) are done \((\d+) accepted, 0 rejected\); to resume: sluice submit honeypot \S+ --skip-lines (\d+)/.exec(failed.stderr);
      expect(match, failed.stderr).not.toBeNull();
      expect(match![1]).toBe(match![3]);
      expect(match![2]).toBe(match![1]); // no comments in this file: every line done was accepted
      hint = match![3];
      expect(refusing.posts).toHaveLength(2); // nothing after the refused batch was sent
    } finally {
      await refusing.close();
    }
    const resumed = await sluice(['submit', 'honeypot', file2, '--skip-lines', hint]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toBe(`${second.length - Number(hint)} accepted, 0 rejected\n`);
    for (const value of [second[0], second[Number(hint)], second[second.length - 1]]) {
      const res = await fetch(`${server.url}/api/v1/check/${encodeURIComponent(value)}`, { headers: { authorization: `Bearer ${token}` } });
      expect(((await res.json()) as { sightings: number }).sightings, value).toBe(1);
    }
  });
});

/**
 * A plain HTTP proxy in front of the node that records each submission (its Idempotency-Key, body
 * size and whether the answer was a replay). `loseAnswerOf: n`: the n-th submission reaches the node
 * and is committed, but its answer never reaches the client (the connection is cut). `refuse: n`:
 * the n-th is answered 400 without reaching the node.
 */
async function submissionProxy(target: string, behaviour: { loseAnswerOf?: number; refuse?: number }) {
  const upstream = new URL(target);
  const posts: { key: string | undefined; bytes: number; replayed: string | undefined }[] = [];
  const proxy: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const isSubmission = req.method === 'POST' && /\/indicators$/.test(req.url ?? '');
      const post = isSubmission ? { key: req.headers['idempotency-key'] as string | undefined, bytes: body.length, replayed: undefined as string | undefined } : null;
      if (post) posts.push(post);
      if (post && posts.length === behaviour.refuse) {
        res.writeHead(400, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: { code: 'invalid_request', message: 'refused by the test proxy' } }));
      }
      const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host };
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => parts.push(chunk));
        answer.on('end', () => {
          if (post) post.replayed = answer.headers['idempotent-replayed'] as string | undefined;
          if (post && posts.length === behaviour.loseAnswerOf && !post.replayed) return void req.socket.destroy();
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(parts));
        });
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    close: () => new Promise<void>((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); }),
  };
}
