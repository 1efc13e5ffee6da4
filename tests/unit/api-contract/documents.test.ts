// The generated API descriptions are valid: OpenAPI 3.1 (@readme/openapi-parser) and AsyncAPI 3
// (@asyncapi/parser), and they describe what they must (every route, auth, rate limits, errors).
import { Parser } from '@asyncapi/parser';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { buildAsyncApiDocument } from '@/lib/api-contract/asyncapi';
import { errorStatuses } from '@/lib/api-contract/errors';
import { buildOpenApiDocument, routeErrorCodes } from '@/lib/api-contract/openapi';
import { API_CONTRACTS } from '@/lib/api-contract/registry';
import { CONNECT_ERROR_CODES, STREAM_END_REASONS } from '@/lib/realtime/protocol';

type Json = Record<string, unknown>;

describe('OpenAPI document', () => {
  const doc = buildOpenApiDocument() as unknown as { openapi: string; paths: Record<string, Record<string, Json>>; components: Json };

  it('is valid OpenAPI 3.1', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('has an operation for every contract, with its scope, rate-limit headers and every error code', () => {
    for (const contract of API_CONTRACTS) {
      const op = doc.paths[contract.path]?.[contract.method.toLowerCase()] as
        | { operationId: string; security: Json[]; responses: Record<string, { headers?: Json; content?: Record<string, { schema: Json }> }> }
        | undefined;
      expect(op, `${contract.method} ${contract.path}`).toBeDefined();
      expect(op!.operationId).toBe(contract.operationId);
      expect(op!.security).toEqual(contract.scope ? [{ bearerAuth: [contract.scope] }] : []);
      for (const code of routeErrorCodes(contract)) {
        for (const status of errorStatuses(code)) {
          const response = op!.responses[String(status)];
          const schema = response?.content?.['application/json']?.schema as { properties: { error: { properties: { code: { enum: string[] } } } } };
          expect(schema.properties.error.properties.code.enum, `${contract.operationId} ${code}`).toContain(code);
          if (status === 429 || status === 503) expect(response.headers).toHaveProperty('Retry-After');
        }
      }
      if (contract.scope && contract.rateLimitHeaders !== false) {
        const ok = Object.entries(op!.responses).filter(([status]) => status.startsWith('2'));
        expect(ok.length).toBeGreaterThan(0);
        for (const [, response] of ok) expect(Object.keys(response.headers ?? {})).toEqual(expect.arrayContaining(['X-RateLimit-Limit', 'X-RateLimit-Remaining']));
      }
    }
  });

  it('describes the Bearer token', () => {
    expect((doc.components.securitySchemes as Json).bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('AsyncAPI document', () => {
  const doc = buildAsyncApiDocument();

  it('is valid AsyncAPI 3 (no errors or warnings)', async () => {
    const { document, diagnostics } = await new Parser().parse(JSON.stringify(doc));
    const problems = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.path.join('.')}: ${d.message}`);
    expect(problems).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
  });

  it('names every refusal code and end reason of the protocol', () => {
    const text = JSON.stringify(doc);
    for (const code of [...CONNECT_ERROR_CODES, ...STREAM_END_REASONS]) expect(text).toContain(`\`${code}\``);
    expect(Object.keys(doc.channels)).toEqual(['firehose', 'public', 'httpStream']);
  });
});
