#!/usr/bin/env node
// Builds the installable CLI (packages/cli): the client commands (cli/standalone.ts) and everything
// they import — commander, socket.io-client, openapi-fetch, the bits of lib/ they use — bundled by
// esbuild into one ESM file with no runtime dependencies, packages/cli/dist/sluice.mjs, plus the
// licences of what it bundles. Run by `npm pack` in packages/cli (prepack) and `npm run pack:cli`.
import { chmod, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

const ROOT = path.resolve(import.meta.dirname, '..');
const PKG = path.join(ROOT, 'packages/cli');
const DIST = path.join(PKG, 'dist');
const { version } = JSON.parse(await readFile(path.join(PKG, 'package.json'), 'utf8'));

await rm(DIST, { recursive: true, force: true });
await mkdir(DIST, { recursive: true });
const result = await build({
  absWorkingDir: ROOT, // metafile paths are relative to the repository, wherever this runs from
  entryPoints: [path.join(ROOT, 'cli/standalone.ts')],
  outfile: path.join(DIST, 'sluice.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  tsconfig: path.join(ROOT, 'tsconfig.json'),
  define: { SLUICE_CLI_VERSION: JSON.stringify(version) },
  // ws tries these optional native helpers inside try/catch; without them it uses plain JS.
  external: ['bufferutil', 'utf-8-validate'],
  // CommonJS dependencies (ws, engine.io-client) require Node's built-ins: give the ESM file a require.
  banner: { js: "#!/usr/bin/env node\nimport { createRequire as __sluiceCreateRequire } from 'node:module';\nconst require = __sluiceCreateRequire(import.meta.url);" },
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
await chmod(path.join(DIST, 'sluice.mjs'), 0o755);

// The licence of every package bundled, once each.
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (match) packages.set(match[1], true);
}
const notices = [];
for (const dir of [...packages.keys()].sort()) {
  const abs = path.join(ROOT, dir);
  const meta = JSON.parse(await readFile(path.join(abs, 'package.json'), 'utf8'));
  const licenceFile = (await readdir(abs)).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
  const text = licenceFile ? await readFile(path.join(abs, licenceFile), 'utf8') : `License: ${meta.license ?? 'see the package'}`;
  notices.push(`${meta.name}@${meta.version} (${meta.license ?? 'unknown'})\n\n${text.trim()}\n`);
}
await writeFile(
  path.join(DIST, 'THIRD-PARTY-LICENSES.txt'),
  `sluice-cli ${version} bundles these packages:\n\n${notices.join('\n' + '-'.repeat(72) + '\n\n')}`,
);
const bytes = result.metafile.outputs[path.relative(ROOT, path.join(DIST, 'sluice.mjs'))]?.bytes;
process.stderr.write(`sluice: built ${path.relative(ROOT, path.join(DIST, 'sluice.mjs'))} (sluice-cli ${version}${bytes ? `, ${Math.round(bytes / 1024)} KB` : ''}, ${packages.size} packages bundled)\n`);
