// The CLI breaks at build time when the API changes: its REST calls go through openapi-fetch typed
// by cli/generated/openapi.ts. Here the OpenAPI document is changed as a contract change would
// change it (a field renamed in an answer, an operation removed), the types are regenerated as
// `npm run generate` does, and the CLI's sources are type-checked against them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '@/lib/api-contract/openapi';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const GENERATED = path.join(ROOT, 'cli/generated/openapi.ts');
const CLI = ['cli/standalone.ts', 'cli/client.ts', 'cli/export.ts', 'cli/webhook.ts', 'cli/stream-http.ts', 'cli/api.ts'].map((f) => path.join(ROOT, f));

type Doc = ReturnType<typeof buildOpenApiDocument> & { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };

async function typesOf(doc: unknown): Promise<string> {
  return astToString(await openapiTS(JSON.parse(JSON.stringify(doc)) as never, { alphabetize: false, exportType: false }));
}

/** Renames a property wherever a schema (and its oneOf/anyOf/allOf branches) declares it. */
function renameProperty(schema: unknown, from: string, to: string): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as { properties?: Record<string, unknown>; required?: string[]; oneOf?: unknown[]; anyOf?: unknown[]; allOf?: unknown[] };
  if (s.properties && from in s.properties) {
    s.properties[to] = s.properties[from];
    delete s.properties[from];
    s.required = s.required?.map((r) => (r === from ? to : r));
  }
  for (const branch of [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])]) renameProperty(branch, from, to);
}

let previous: ts.Program | undefined;

/** Type errors of the CLI's sources with `generated` as cli/generated/openapi.ts, as "file: message". */
function cliErrors(generated: string): string[] {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const options = { ...config.options, noEmit: true, incremental: false, tsBuildInfoFile: undefined };
  const host = ts.createCompilerHost(options);
  const read = host.readFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === GENERATED ? generated : read(file));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) =>
    path.resolve(file) === GENERATED ? ts.createSourceFile(file, generated, language) : getSourceFile(file, language, onError);
  const program = ts.createProgram({ rootNames: CLI, options, host, oldProgram: previous });
  previous = program;
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file && path.resolve(d.file.fileName).startsWith(path.join(ROOT, 'cli')))
    .map((d) => `${path.relative(ROOT, d.file!.fileName)}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n').split('\n')[0]}`);
}

describe("the CLI's typed client", () => {
  it('type-checks against the committed generated client', { timeout: 120_000 }, () => {
    expect(cliErrors(readFileSync(GENERATED, 'utf8'))).toEqual([]);
  });

  it('fails to type-check where the CLI uses what a contract change removed', { timeout: 120_000 }, async () => {
    const doc = buildOpenApiDocument() as unknown as Doc;
    renameProperty(doc.components.schemas.CheckAnswer, 'sightings', 'sightingCount'); // sluice check prints it
    renameProperty(doc.components.schemas.IndicatorSummary, 'firstSeen', 'first_seen'); // sluice export --format csv
    delete doc.paths['/api/v1/webhooks/{id}/test']; // sluice webhook test
    const errors = cliErrors(await typesOf(doc));
    expect(errors.some((e) => e.startsWith('cli/client.ts:') && e.includes("'sightings'")), errors.join('\n')).toBe(true);
    expect(errors.some((e) => e.startsWith('cli/export.ts:') && e.includes("'firstSeen'")), errors.join('\n')).toBe(true);
    expect(errors.some((e) => e.startsWith('cli/webhook.ts:') && e.includes('/api/v1/webhooks/{id}/test')), errors.join('\n')).toBe(true);
  });
});
