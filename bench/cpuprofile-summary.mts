// Where a server's CPU went, from a V8 .cpuprofile (node --cpu-prof; bench/ingest.mts BENCH_PROFILE):
// self time per category and the top functions, over a window of seconds after the process started
// (the benchmark prints the window of its measured phase, so start-up and warm-up are left out).
//
//   node --import tsx bench/cpuprofile-summary.mts <file.cpuprofile> [--window FROM-TO] [--top 25]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const file = args[0];
if (!file) {
  console.error('usage: bench/cpuprofile-summary.mts <file.cpuprofile> [--window FROM-TO] [--top N]');
  process.exit(2);
}
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const [from, to] = (option('--window') ?? '0-1e9').split('-').map(Number);
const top = Number(option('--top') ?? 25);

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));

// First matching rule names the category of a function's self time (order matters).
// (Next bundles lib/ into .next/server/chunks/lib_<path>_…js, minified: the chunk's name says whose code it is.)
const CATEGORIES: [string, (f: ProfileNode['callFrame']) => boolean][] = [
  ['idle (waiting for PostgreSQL / the network)', (f) => f.functionName === '(idle)'],
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['native, unattributed (program)', (f) => f.functionName === '(program)'],
  ["Next's patched global Date", (f) => /node-environment-extensions\/date/.test(f.url)],
  ['response compression (zlib)', (f) => f.url === 'node:zlib'],
  ['pg driver (protocol, row parsing)', (f) => /node_modules\/(pg|pg-protocol|pg-types|pg-pool|postgres-\w+)\//.test(f.url)],
  ['Sluice ingest (lib/ingest, lib/indicators)', (f) => /lib[_/](ingest|indicators)/.test(f.url)],
  ['Sluice trust (lib/trust: warning lists, policy)', (f) => /lib[_/]trust/.test(f.url)],
  ['zod and other bundled packages', (f) => /\.next\/server\/chunks\/_/.test(f.url) || /zod/.test(f.url)],
  ['other Sluice code (lib/, app/, server/)', (f) => /\.next\/server\/chunks\/(lib|app)_|\/(lib|server)\/[\w/-]+\.m?ts/.test(f.url)],
  ['Next.js / React server', (f) => /next\/dist|react/.test(f.url)],
  ['Node core (http, streams, net, crypto, timers)', (f) => f.url.startsWith('node:')],
  ['V8 builtins (JSON, RegExp, strings)', (f) => f.url === ''],
  ['other JavaScript', () => true],
];

const selfUs = new Map<number, number>();
let t = profile.startTime;
const windowStart = profile.startTime + from * 1e6;
const windowEnd = profile.startTime + to * 1e6;
let total = 0;
for (let i = 0; i < profile.samples.length; i++) {
  t += profile.timeDeltas[i];
  if (t < windowStart || t > windowEnd) continue;
  const delta = profile.timeDeltas[i + 1] ?? 0; // the time until the next sample is this sample's
  selfUs.set(profile.samples[i], (selfUs.get(profile.samples[i]) ?? 0) + delta);
  total += delta;
}

const categories = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)!.callFrame;
  const category = CATEGORIES.find(([, test]) => test(frame))![0];
  categories.set(category, (categories.get(category) ?? 0) + us);
  const where = frame.url ? `${frame.url.replace(/^.*\/(node_modules|\.next|lib|app|server)\//, '$1/')}:${frame.lineNumber + 1}` : '';
  const name = `${frame.functionName || '(anonymous)'} ${where}`.trim();
  functions.set(name, (functions.get(name) ?? 0) + us);
}

const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)} %`;
const busy = total - (categories.get(CATEGORIES[0][0]) ?? 0);
console.log(`${file}: ${(total / 1e6).toFixed(1)} s of wall time in the window ${from}–${to} s, ${(busy / 1e6).toFixed(1)} s on the CPU (${((busy / total) * 100).toFixed(0)} %)`);
console.log('\nself time by category (share of wall time):');
for (const [name, us] of [...categories].sort((a, b) => b[1] - a[1])) console.log(`  ${pct(us)}  ${name}`);
console.log(`\ntop ${top} functions by self time:`);
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`  ${pct(us)}  ${name.slice(0, 140)}`);
