// The OpenAPI 3.1 document of the REST API, generated from the route contracts
// (lib/api-contract/registry.ts) with zod-openapi: served at GET /api/v1/openapi.json, committed as
// docs/openapi.json by `npm run generate` (the typed client is generated from it).
import { z } from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { PLANS } from '../plans';
import { TOKEN_SCOPES } from '../tokens';
import type { RouteContract } from './define';
import { API_ERRORS, EDGE_ERRORS, errorStatuses, TOKEN_ERRORS, type ApiErrorCode } from './errors';
import { API_CONTRACTS } from './registry';
import { errorBodySchema } from './schemas';

export const API_VERSION = '1.0.0';

type HeaderRef = { $ref: string };
const header = (name: string): HeaderRef => ({ $ref: `#/components/headers/${name}` });

/** Every error code a route may answer: its own, the edge's and, with a token, the wrapper's. */
export function routeErrorCodes(contract: RouteContract): ApiErrorCode[] {
  const codes = new Set<ApiErrorCode>([...EDGE_ERRORS, ...(contract.scope ? TOKEN_ERRORS : []), ...contract.errors]);
  if (contract.scope === 'stream') codes.add('plan_required');
  return [...codes];
}

function errorResponses(contract: RouteContract): ZodOpenApiResponsesObject {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of routeErrorCodes(contract)) {
    for (const status of errorStatuses(code)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const headers: Record<string, HeaderRef | { description: string; required: boolean; schema: Record<string, unknown> }> = {};
    if (status === 429 || status === 503) headers['Retry-After'] = header('Retry-After');
    // A 409 carries it only for a request still in progress, not for the route's other conflicts.
    else if (codes.includes('idempotency_key_in_progress')) {
      headers['Retry-After'] = { description: 'seconds to wait before retrying (only with `idempotency_key_in_progress`)', required: false, schema: { type: 'integer', minimum: 0 } };
    }
    responses[`${status}` as `4${string}`] = {
      description: codes.map((code) => `\`${code}\`: ${API_ERRORS[code].description}`).join('\n\n'),
      ...(Object.keys(headers).length ? { headers } : {}),
      content: { 'application/json': { schema: errorBodySchema(codes as [ApiErrorCode, ...ApiErrorCode[]]) } },
    };
  }
  return responses;
}

function operation(contract: RouteContract): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  const rateLimited = contract.scope !== null && contract.rateLimitHeaders !== false;
  for (const [status, spec] of Object.entries(contract.responses)) {
    if (!spec) continue;
    const headers: Record<string, HeaderRef | { description: string; required: boolean; schema: Record<string, unknown> }> = {};
    if (rateLimited) {
      headers['X-RateLimit-Limit'] = header('X-RateLimit-Limit');
      headers['X-RateLimit-Remaining'] = header('X-RateLimit-Remaining');
    }
    for (const [name, h] of Object.entries(spec.headers ?? {})) {
      const { $schema: _, ...schema } = z.toJSONSchema(h.schema, { target: 'draft-2020-12' }) as Record<string, unknown>;
      headers[name] = { description: h.description, required: h.required ?? true, schema };
    }
    const content = spec.schema ? { [spec.contentType ?? 'application/json']: { schema: spec.schema }, ...Object.fromEntries(Object.entries(spec.otherContent ?? {}).map(([type, schema]) => [type, { schema }])) } : undefined;
    responses[`${status}` as `2${string}`] = { description: spec.description, ...(Object.keys(headers).length ? { headers } : {}), ...(content ? { content } : {}) };
  }
  Object.assign(responses, errorResponses(contract));
  const scopeNote = contract.scope ? `\n\nNeeds a token with the \`${contract.scope}\` scope.` : '\n\nPublic: no token needed.';
  return {
    operationId: contract.operationId,
    summary: contract.summary,
    description: `${contract.description ?? ''}${scopeNote}`.trim(),
    tags: [...contract.tags],
    security: contract.scope ? [{ bearerAuth: [contract.scope] }] : [],
    ...(contract.scope ? { 'x-sluice-scope': contract.scope } : {}),
    requestParams: {
      ...(contract.params ? { path: contract.params } : {}),
      ...(contract.query ? { query: contract.query } : {}),
      ...(contract.headers ? { header: contract.headers } : {}),
    },
    ...(contract.body
      ? {
          requestBody: {
            required: contract.body.required ?? true,
            ...(contract.body.description ? { description: contract.body.description } : {}),
            content: Object.fromEntries(Object.entries(contract.body.content).map(([type, schema]) => [type, { schema }])),
          },
        }
      : {}),
    responses,
  };
}

const DESCRIPTION = `The REST API of Sluice, a self-hostable threat-intelligence firehose. Generated from the zod schemas that validate the requests.

**Authentication.** Every route except the documents needs an API token: \`Authorization: Bearer slc_…\` (created on the dashboard or with \`sluice admin token create\`). A token carries scopes: ${TOKEN_SCOPES.map((s) => `\`${s}\``).join(', ')}; each operation names the one it needs. A missing, unknown or revoked token is 401 \`invalid_token\`; a missing scope 403 \`scope_required\`. A token may have an expiry (after it, 401 \`token_expired\`) and a list of networks it may be used from (from elsewhere, 403 \`address_not_allowed\`).

**Errors** are JSON \`{ "error": { "code", "message" } }\` (sometimes with \`details\` or \`requestId\`), with the codes listed under each response. Hostile input never yields a 500.

**Rate limits.** Each token may make its plan's requests per minute (${Object.values(PLANS).map((p) => `${p.name}: ${p.apiRequestsPerMinute}`).join(', ')}). Answers carry \`X-RateLimit-Limit\` and \`X-RateLimit-Remaining\`; a refusal is 429 \`rate_limited\` with \`Retry-After\` (seconds). Submissions also count indicators per hour per user (429 \`submission_limit\`).

**Streaming** (socket.io and \`GET /api/v1/stream\`) is described in AsyncAPI at [/api/v1/asyncapi.json](/api/v1/asyncapi.json).`;

/** The whole document; `serverUrl` is where the API is served (relative by default). */
export function buildOpenApiDocument(options: { serverUrl?: string } = {}) {
  const paths: ZodOpenApiPathsObject = {};
  for (const contract of API_CONTRACTS) {
    const item = (paths[contract.path] ??= {});
    const method = contract.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
    if (item[method]) throw new Error(`two contracts for ${contract.method} ${contract.path}`);
    item[method] = operation(contract);
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: { title: 'Sluice API', version: API_VERSION, description: DESCRIPTION, license: { name: 'MIT', identifier: 'MIT' } },
      servers: [{ url: options.serverUrl ?? '/', description: 'this Sluice instance' }],
      tags: [
        { name: 'feeds', description: 'your named streams of sightings' },
        { name: 'indicators', description: 'submit, search, check, dispute' },
        { name: 'stix', description: 'STIX 2.1 bundles (TAXII 2.1 at /taxii2/)' },
        { name: 'webhooks', description: 'the firehose pushed to your endpoint' },
        { name: 'stream', description: 'the firehose over HTTP' },
        { name: 'meta', description: 'the API describing itself' },
      ],
      security: [{ bearerAuth: [] }],
      paths,
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            bearerFormat: 'slc_…',
            description: `An API token. Scopes: ${TOKEN_SCOPES.map((s) => `\`${s}\``).join(', ')} (stream needs the Firehose plan too).`,
          },
        },
        headers: {
          'X-RateLimit-Limit': { description: "requests per minute this token's plan allows", required: true, schema: { type: 'integer', minimum: 0 } },
          'X-RateLimit-Remaining': { description: 'requests left in the current minute', required: true, schema: { type: 'integer', minimum: 0 } },
          'Retry-After': { description: 'seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } },
        },
      },
    },
    { reused: 'inline' },
  );
}
