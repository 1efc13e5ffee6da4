// Contracts of the self-description routes: the OpenAPI and AsyncAPI documents (public, no token).
import { z } from 'zod';
import { defineRoute } from '../define';

const document = (what: string) => z.record(z.string(), z.unknown()).meta({ description: what });

export const openApiContract = defineRoute({
  method: 'GET',
  path: '/api/v1/openapi.json',
  operationId: 'getOpenApi',
  summary: 'This document: OpenAPI 3.1 of the REST API',
  description: 'Generated from the zod schemas that validate the requests (lib/api-contract). No token needed.',
  tags: ['meta'],
  scope: null,
  responses: { 200: { description: 'the OpenAPI document', schema: document('OpenAPI 3.1 document') } },
  errors: [],
});

export const asyncApiContract = defineRoute({
  method: 'GET',
  path: '/api/v1/asyncapi.json',
  operationId: 'getAsyncApi',
  summary: 'AsyncAPI 3 of the streaming protocol',
  description: 'The socket.io namespaces and the HTTP stream: handshake, events, filters, refusals and end reasons. No token needed.',
  tags: ['meta'],
  scope: null,
  responses: { 200: { description: 'the AsyncAPI document', schema: document('AsyncAPI 3.0 document') } },
  errors: [],
});
