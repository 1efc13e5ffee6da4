// `npm run generate`: regenerates every generated file (the API descriptions and the CLI's typed
// client) from the code. Commit the result; a test fails when the committed files are stale.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generatedOutputs } from './generate/outputs.mts';

const ROOT = path.resolve(import.meta.dirname, '..');
for (const [file, content] of Object.entries(await generatedOutputs())) {
  await mkdir(path.dirname(path.join(ROOT, file)), { recursive: true });
  await writeFile(path.join(ROOT, file), content);
  process.stdout.write(`wrote ${file} (${content.length} bytes)\n`);
}
