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
    if (status === 429 && hasRateLimitHeaders(contract)) {
      // Every refusal by a plan's limit says where each window stands (docs/api.md, "Rate limits").
      for (const name of RATE_LIMIT_HEADERS) headers[name] = header(name);
      for (const name of DAY_LIMIT_HEADERS) headers[name] = { ...DAY_HEADER_SPECS[name], required: false };
    }
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

const hasRateLimitHeaders = (contract: RouteContract) => contract.scope !== null && contract.rateLimitHeaders !== false;
const RATE_LIMIT_HEADERS = ['X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset'] as const;
const DAY_LIMIT_HEADERS = ['X-RateLimit-Limit-Day', 'X-RateLimit-Remaining-Day', 'X-RateLimit-Reset-Day'] as const;
const integer = { type: 'integer', minimum: 0 } as const;
const DAY_HEADER_SPECS = {
  'X-RateLimit-Limit-Day': { description: "requests the account may make this UTC day over all its tokens (the plan's, or its burst ceiling on a burst day)", required: true, schema: integer },
  'X-RateLimit-Remaining-Day': { description: 'requests the account has left this UTC day', required: true, schema: integer },
  'X-RateLimit-Reset-Day': { description: 'seconds until the day allowance resets (midnight UTC)', required: true, schema: integer },
};

function operation(contract: RouteContract): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  const rateLimited = hasRateLimitHeaders(contract);
  for (const [status, spec] of Object.entries(contract.responses)) {
    if (!spec) continue;
    const headers: Record<string, HeaderRef | { description: string; required: boolean; schema: Record<string, unknown> }> = {};
    if (rateLimited) {
      for (const name of [...RATE_LIMIT_HEADERS, ...DAY_LIMIT_HEADERS]) headers[name] = header(name);
      headers['X-RateLimit-Burst'] = header('X-RateLimit-Burst');
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

**Rate limits.** Each token may make its plan's requests per minute, and each account its plan's requests per UTC day over all its tokens (${Object.values(PLANS).map((p) => `${p.name}: ${p.apiRequestsPerMinute} a minute, ${p.apiRequestsPerDay} a day`).join('; ')}). Past the day's allowance, a burst token (${Object.values(PLANS).map((p) => `${p.name}: ${p.burst.tokensPerMonth} a month`).join(', ')}) is spent automatically and raises that day's allowance ${PLANS.free.burst.multiplier}-fold (\`X-RateLimit-Burst: active\`). Answers carry \`X-RateLimit-Limit\`, \`X-RateLimit-Remaining\` and \`X-RateLimit-Reset\` (the token's minute: allowance, what is left, seconds until it resets) and \`X-RateLimit-Limit-Day\`, \`X-RateLimit-Remaining-Day\`, \`X-RateLimit-Reset-Day\` (the account's UTC day). A refusal is 429 \`rate_limited\` (the minute) or \`daily_limit\` (the day) with \`Retry-After\` in seconds and the same headers. Submissions also count indicators per hour per user (429 \`submission_limit\`). Your use is on the [usage page](/usage).

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
          'X-RateLimit-Reset': { description: "seconds until the token's current minute window resets", required: true, schema: { type: 'integer', minimum: 0 } },
          ...DAY_HEADER_SPECS,
          'X-RateLimit-Burst': { description: '`active` on a day a burst token raised the allowance; absent otherwise', required: false, schema: { type: 'string', enum: ['active'] } },
          'Retry-After': { description: 'seconds to wait before retrying', required: true, schema: { type: 'integer', minimum: 0 } },
        },
      },
    },
    { reused: 'inline' },
  );
}
